// The fake MLflow server of the tests, in a process of its own, as a real tracking server is:
// its request parsing and the runs it keeps never run or sit on the benchmark's own thread and
// heap. Prints its URL on stdout; exits when its stdin closes (the parent ended).
import { pathToFileURL } from "node:url";
import { internalsPath } from "../internal.mjs";

const { FakeMlflowServer } = await import(pathToFileURL(internalsPath("backends-server")).href);
const server = await new FakeMlflowServer().start();
process.stdout.write(`${server.url}\n`);
process.stdin.on("end", () => void server.close().then(() => process.exit(0)));
process.stdin.resume();
