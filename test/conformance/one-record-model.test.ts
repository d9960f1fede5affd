import { expect } from "chai";
import { API_SCHEMAS, apiClassOf, apiObjectOf } from "../../sdk/one-record/api-objects";
import { bodyOfObject, objectOfBody } from "../../sdk/one-record/jsonld";
import { LogisticsObjectBody } from "../../sdk/records/logistics-object";
import { listFiles, readJson, standardsFile } from "./standards";
import { canonical, isCargo, trimIds } from "./one-record-examples";

// Examples whose documents are not ONE Record objects of ours: an ACL (W3C WAC) and multi-status responses.
const NOT_COVERED = new Set(["ACL.json", "MultipleEventsResponse_example1.json", "MultipleEventsResponse_example2.json"]);

describe("ONE Record examples against the model", function () {
  const files = listFiles("one-record/examples", ".json");
  const load = (f: string) => readJson(standardsFile("one-record", "examples", f));

  it("every example is covered by a schema or listed as not covered", function () {
    const uncovered = files.filter((f) => !NOT_COVERED.has(f) && !isCargo(load(f)) && apiClassOf(apiObjectOf(load(f))) === undefined);
    expect(uncovered).to.deep.equal([]);
    expect(files.length).to.be.greaterThan(40);
  });

  for (const file of files.filter((f) => !NOT_COVERED.has(f))) {
    const doc = trimIds(load(file));
    if (isCargo(doc)) {
      it(`${file}: converts to a valid LogisticsObject body and back, equal as JSON-LD data`, async function () {
        const { objectType, body, id, revision, latestRevision } = bodyOfObject(doc);
        const parsed = LogisticsObjectBody.safeParse(body);
        expect(parsed.success, JSON.stringify(parsed.error?.issues)).to.equal(true);
        const back = objectOfBody(objectType, body, id, { revision, latestRevision });
        const [expected, actual] = await Promise.all([canonical(doc), canonical(back)]);
        expect(expected.length).to.be.greaterThan(0);
        expect(actual).to.equal(expected);
      });
    } else {
      it(`${file}: parses with the schema of its API class`, function () {
        const node = apiObjectOf(doc);
        const cls = apiClassOf(node);
        expect(cls, "API class").to.not.equal(undefined);
        const parsed = API_SCHEMAS[cls as keyof typeof API_SCHEMAS].safeParse(node);
        expect(parsed.success, JSON.stringify(parsed.error?.issues)).to.equal(true);
      });
    }
  }

  it("each event in the logistics-events collections round-trips as a LogisticsObject", async function () {
    let n = 0;
    for (const file of ["LogisticsEvents_list.json", "LogisticsEvents_filtered_list.json"]) {
      const doc = load(file) as { "@context": unknown; "api:hasItem": unknown };
      const items = Array.isArray(doc["api:hasItem"]) ? doc["api:hasItem"] : [doc["api:hasItem"]];
      for (const item of items) {
        const event = { "@context": doc["@context"], ...(item as object) };
        const { objectType, body, id } = bodyOfObject(event);
        expect(objectType).to.equal("LogisticsEvent");
        expect(LogisticsObjectBody.safeParse(body).success).to.equal(true);
        expect(await canonical(objectOfBody(objectType, body, id))).to.equal(await canonical(event));
        n++;
      }
    }
    expect(n).to.equal(3);
  });

  it("the comparison tells a changed object apart (the check can fail)", async function () {
    const { objectType, body, id } = bodyOfObject(load("Piece.json"));
    const changed = objectOfBody(objectType, { ...body, coload: true }, id);
    expect(await canonical(changed)).to.not.equal(await canonical(load("Piece.json")));
  });
});
