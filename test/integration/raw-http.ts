import { request } from "node:http";

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: () => Record<string, unknown>;
}

/**
 * One request with the path and headers exactly as given (fetch would normalise a malformed path).
 * An event stream's body is not waited for: its headers are the answer.
 */
export function raw(hubUrl: string, method: string, path: string, opts: { headers?: Record<string, string>; body?: Buffer | string } = {}): Promise<RawAnswer> {
  const url = new URL(hubUrl);
  // Node's client sends a GET's or DELETE's body unframed unless its length is given.
  const headers = opts.body !== undefined ? { "content-length": String(Buffer.byteLength(opts.body)), ...opts.headers } : opts.headers;
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path, headers }, (res) => {
      const answer = (text: string) => ({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) as Record<string, unknown> });
      if (String(res.headers["content-type"]).startsWith("text/event-stream")) {
        res.destroy();
        return resolve(answer(""));
      }
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve(answer(Buffer.concat(chunks).toString("utf8"))));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(opts.body);
  });
}
