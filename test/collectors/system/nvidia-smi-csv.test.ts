import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  cellValue,
  GPU_QUERY_FIELDS,
  parseGpuLine,
  splitLines,
} from "../../../src/collectors/system/gpu/nvidia-smi-csv.js";

const fixtures = join(import.meta.dirname, "../../fixtures/collectors/nvidia-smi");
const rowsOf = (file: string) =>
  readFileSync(join(fixtures, file), "utf8")
    .split("\n")
    .map(parseGpuLine)
    .filter((r) => r !== undefined);

describe("nvidia-smi CSV parsing", () => {
  it("asks for name last, so a name with commas cannot shift the numeric columns", () => {
    expect(GPU_QUERY_FIELDS.at(-1)).toBe("name");
    expect(GPU_QUERY_FIELDS[0]).toBe("index");
  });

  it("parses several GPUs, one row each, with every field named by index and unit", () => {
    const rows = rowsOf("four-gpus.csv");
    expect(rows.map((r) => r.index)).toEqual([0, 1, 2, 3]);
    const first = rows[0];
    expect(first.name).toBe("NVIDIA H100 80GB HBM3");
    expect(first.uuid).toBe("GPU-6a1e3c55-8d2b-4f0e-9b7a-1c2d3e4f5a60");
    expect(first.values).toEqual({
      "system/gpu_0_utilization_percentage": 97,
      "system/gpu_0_memory_utilization_percentage": 41,
      "system/gpu_0_memory_used_megabytes": 38123,
      "system/gpu_0_memory_total_megabytes": 81559,
      "system/gpu_0_memory_usage_percentage": (38123 / 81559) * 100,
      "system/gpu_0_temperature_celsius": 71,
      "system/gpu_0_power_watts": 612.45,
      "system/gpu_0_power_limit_watts": 700,
      "system/gpu_0_sm_clock_megahertz": 1980,
      "system/gpu_0_memory_clock_megahertz": 2619,
    });
  });

  it("treats [N/A] as missing and 0 as 0", () => {
    const [, idle, busy, capped] = rowsOf("four-gpus.csv");
    expect(idle.values["system/gpu_1_utilization_percentage"]).toBe(0);
    expect(idle.values["system/gpu_1_memory_used_megabytes"]).toBe(0);
    expect(idle.values["system/gpu_1_memory_usage_percentage"]).toBe(0);
    expect("system/gpu_1_fan_speed_percentage" in idle.values).toBe(false);
    expect("system/gpu_2_power_watts" in busy.values).toBe(false);
    expect(busy.values["system/gpu_2_power_limit_watts"]).toBe(700);
    expect("system/gpu_3_power_limit_watts" in capped.values).toBe(false);
  });

  it("keeps an all-zero consumer GPU's zeros, fan included", () => {
    const [row] = rowsOf("consumer-gpu.csv");
    expect(row.values["system/gpu_0_fan_speed_percentage"]).toBe(0);
    expect(row.values["system/gpu_0_temperature_celsius"]).toBe(0);
    expect(row.values["system/gpu_0_power_watts"]).toBe(0);
    expect(row.values["system/gpu_0_sm_clock_megahertz"]).toBe(0);
  });

  it("handles MIG-enabled rows: no utilization, [Insufficient Permissions] and [Not Supported] missing", () => {
    const [a, b] = rowsOf("mig.csv");
    expect("system/gpu_0_utilization_percentage" in a.values).toBe(false);
    expect("system/gpu_0_memory_utilization_percentage" in a.values).toBe(false);
    expect(a.values["system/gpu_0_memory_used_megabytes"]).toBe(19786);
    expect("system/gpu_1_memory_used_megabytes" in b.values).toBe(false);
    expect("system/gpu_1_memory_usage_percentage" in b.values).toBe(false);
    expect("system/gpu_1_power_watts" in b.values).toBe(false);
    expect(b.values["system/gpu_1_memory_total_megabytes"]).toBe(40960);
  });

  it("skips messages, blank and short lines, and keeps commas inside the name", () => {
    const rows = rowsOf("noise.txt");
    expect(rows).toHaveLength(1);
    expect(rows[0].name).toBe("Tesla, V100 (custom, name)");
    expect(rows[0].values["system/gpu_0_fan_speed_percentage"]).toBe(35);
  });

  it("reads cells: numbers, zeros, and every bracketed or non-numeric marker as missing", () => {
    expect(cellValue("0")).toBe(0);
    expect(cellValue("12.5")).toBe(12.5);
    for (const missing of ["[N/A]", "N/A", "[Not Supported]", "[Unknown Error]", "", "abc", undefined])
      expect(cellValue(missing)).toBeUndefined();
  });

  it("splits chunks into complete lines and carries the unfinished tail", () => {
    const first = splitLines("", "0, a, 1\r\n1, b");
    expect(first).toEqual({ lines: ["0, a, 1"], rest: "1, b" });
    expect(splitLines(first.rest, ", 2\n\n")).toEqual({ lines: ["1, b, 2"], rest: "" });
  });
});
