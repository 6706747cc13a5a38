import type { Level, Logger } from "pino";

const LEVEL_VALUES: Readonly<Record<string, number>> = Object.freeze({
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: Number.POSITIVE_INFINITY,
});

const noop = (): void => {};

function bound(target: Logger, prop: string | symbol): unknown {
  const value = Reflect.get(target, prop, target);
  return typeof value === "function" ? value.bind(target) : value;
}

/**
 * A logger that creates the real (pino) logger only when it is first needed: a call at an
 * enabled level, a level change, or any other member. Until then, calls below the level do
 * nothing, `level` and `isLevelEnabled` answer from the level, and `child()` returns another
 * lazy logger. A run that logs nothing at its level never loads pino (~35 ms of start-up).
 *
 * @param level - the level the real logger will have
 * @param create - creates the real logger
 * @returns a logger that behaves as the one `create` returns
 */
export function lazyLogger(level: Level | "silent", create: () => Logger): Logger {
  let real: Logger | undefined;
  const threshold = LEVEL_VALUES[level] ?? LEVEL_VALUES.info;
  const materialize = (): Logger => {
    real ??= create();
    return real;
  };
  const lazy: Partial<Record<string | symbol, unknown>> = {
    level,
    silent: noop,
    isLevelEnabled: (l: string) => (LEVEL_VALUES[l] ?? Number.NEGATIVE_INFINITY) >= threshold,
    child: (bindings: Record<string, unknown>, options?: { level?: Level | "silent" }) =>
      lazyLogger(options?.level ?? level, () => materialize().child(bindings, options)),
  };
  for (const name of ["trace", "debug", "info", "warn", "error", "fatal"]) {
    if ((LEVEL_VALUES[name] as number) < threshold) lazy[name] = noop;
  }
  return new Proxy({} as Logger, {
    get: (_target, prop) => (real || !(prop in lazy) ? bound(materialize(), prop) : lazy[prop]),
    set: (_target, prop, value) => Reflect.set(materialize(), prop, value),
    has: (_target, prop) => prop in materialize(),
    ownKeys: () => Reflect.ownKeys(materialize()),
    getOwnPropertyDescriptor: (_target, prop) => {
      const d = Reflect.getOwnPropertyDescriptor(materialize(), prop);
      return d ? { ...d, configurable: true } : undefined;
    },
    getPrototypeOf: () => Reflect.getPrototypeOf(materialize()),
  });
}
