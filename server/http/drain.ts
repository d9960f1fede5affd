import type { Writable } from "node:stream";

/**
 * Waits until a stream that refused a write (`write()` returned false) can take more: resolves
 * true on `drain`, false when the stream is gone instead (`close` or `error`, e.g. the client hung
 * up). Every listener it adds is removed whichever comes first; a race of two `once()` calls would
 * leave the loser attached on every wait (MaxListenersExceededWarning on a long export).
 */
export function drainedOrClosed(stream: Writable): Promise<boolean> {
  if (stream.destroyed || stream.writableFinished) return Promise.resolve(false);
  if (!stream.writableNeedDrain) return Promise.resolve(true);
  return new Promise((resolve) => {
    const settle = (drained: boolean) => {
      stream.off("drain", onDrain);
      stream.off("close", onGone);
      stream.off("error", onGone);
      resolve(drained);
    };
    const onDrain = () => settle(true);
    const onGone = () => settle(false);
    stream.on("drain", onDrain);
    stream.on("close", onGone);
    stream.on("error", onGone);
  });
}
