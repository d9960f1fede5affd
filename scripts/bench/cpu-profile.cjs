// Preloaded into a hub process by a benchmark's --cpu-prof DIR (NODE_OPTIONS=--require, since Node
// refuses --cpu-prof there): profiles each thread (main and workers) and writes DIR/<pid>-<thread>.cpuprofile
// when the thread ends. A same-thread inspector session answers synchronously, so the exit handler can write it.
const { Session } = require("node:inspector");
const { writeFileSync } = require("node:fs");
const { join } = require("node:path");
const { threadId } = require("node:worker_threads");

const dir = process.env.CARGOPROOF_CPU_PROF_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post("Profiler.enable");
  session.post("Profiler.setSamplingInterval", { interval: 1000 });
  session.post("Profiler.start");
  let written = false;
  const write = () => {
    if (written) return;
    written = true;
    session.post("Profiler.stop", (err, result) => {
      if (!err) writeFileSync(join(dir, `${process.pid}-${threadId}.cpuprofile`), JSON.stringify(result.profile));
    });
  };
  process.on("exit", write);
  // A worker thread ended by terminate() runs no exit handler: it writes a profile of each 5 s (…-<thread>-<n>).
  if (threadId !== 0) {
    let n = 0;
    const timer = setInterval(() => {
      session.post("Profiler.stop", (err, result) => {
        if (!err) writeFileSync(join(dir, `${process.pid}-${threadId}-${n++}.cpuprofile`), JSON.stringify(result.profile));
        session.post("Profiler.start");
      });
    }, 5000);
    timer.unref();
  }
}
