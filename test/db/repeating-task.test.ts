// The background job loop every hub worker runs on (server/repeating-task.ts): what a failure's report says.
import { expect } from "chai";
import { RepeatingTask } from "../../server/repeating-task";

/** The errors reported for a job whose every pass throws `thrown`, over its first two passes. */
async function reportsOf(thrown: unknown): Promise<Error[]> {
  const reports: Error[] = [];
  const task = new RepeatingTask(
    () => Promise.reject(thrown),
    () => 0,
    (err) => reports.push(err),
  );
  task.start();
  const until = Date.now() + 2000;
  while (reports.length < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
  await task.stop();
  return reports;
}

describe("RepeatingTask failure reports", function () {
  it("pass an Error with a message on as it is", async function () {
    const thrown = new Error("disk full");
    const [first] = await reportsOf(thrown);
    expect(first).to.equal(thrown);
  });

  it("give an Error without a message one from its name, code and cause (a driver's error may carry nothing else)", async function () {
    const thrown = Object.assign(new Error("", { cause: new Error("could not determine data type of parameter $1") }), { code: "42P18" });
    const [first, second] = await reportsOf(thrown);
    expect(first!.message).to.equal("Error: 42P18: could not determine data type of parameter $1");
    expect(first!.cause).to.equal(thrown);
    expect(second!.message, "every failure is reported").to.equal(first!.message);
  });

  it("turn what is not an Error into one", async function () {
    const [first] = await reportsOf("locked");
    expect(first!.message).to.equal("locked");
  });
});
