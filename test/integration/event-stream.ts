import type { Notification } from "../../sdk/api";

/** Reads a raw event stream: the parsed events and whether the server ended it. */
export function readEvents(res: Response) {
  const events: { id: string; event: string; data: Notification }[] = [];
  const comments: string[] = [];
  let ended = false;
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields = new Map<string, string>();
          for (const line of block.split("\n")) {
            if (line.startsWith(":")) comments.push(line);
            const m = /^(\w+): (.*)$/.exec(line);
            if (m) fields.set(m[1]!, m[2]!);
          }
          if (fields.has("data")) events.push({ id: fields.get("id")!, event: fields.get("event")!, data: JSON.parse(fields.get("data")!) as Notification });
        }
      }
    } catch {
      /* aborted by the test */
    }
    ended = true;
  })();
  return { events, comments, ended: () => ended };
}
