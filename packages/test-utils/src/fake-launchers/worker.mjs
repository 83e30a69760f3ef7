// A fake backend worker (`python .../model_service_worker.py ...`): records itself and exits once its server is gone.
import { setInterval } from "node:timers";
import process from "node:process";
import { record } from "./common.mjs";

const parent = process.ppid;
record("worker", { argv: process.argv.slice(2) });
setInterval(() => {
  if (process.ppid !== parent) process.exit(0);
}, 100);
