import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import Ajv2020, { type ValidateFunction } from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { prepareRecord } from "../../sdk/digest";
import { CaptureDocumentSchema, EpcisEventSchema } from "../../sdk/epcis/document";
import { randomOrgKey } from "../../sdk/keys";
import { RECORD_TYPES, type RecordType } from "../../sdk/records";
import { RECORD_EXAMPLES } from "../../sdk/records/examples";
import { signRecord } from "../../sdk/signature";
import { PROBLEM_TYPE_BASE } from "../../server/http/problem";
import { hubDocument } from "../../server/openapi/routes";

type Json = { [key: string]: unknown };
const TYPES = Object.keys(RECORD_TYPES) as RecordType[];
const doc = hubDocument("http://127.0.0.1:8080") as unknown as { components: { schemas: Record<string, Json> }; paths: Record<string, Record<string, Json>> };
const schemas = doc.components.schemas;

/** The document's JSON Schema of one component, compiled against the whole document (its $refs resolve). */
function validator(ajv: Ajv2020, component: string): ValidateFunction {
  return ajv.compile({ $ref: `openapi#/components/schemas/${component}` });
}

/** Every .ts file under a folder. */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === ".generated" ? [] : sources(path);
    return name.endsWith(".ts") ? [path] : [];
  });
}

describe("OpenAPI: every record type's body, from the SDK's schemas", function () {
  let ajv: Ajv2020;
  before(function () {
    ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema(doc as unknown as Json, "openapi");
  });

  it("publishes a body schema with its codes and an example per record type, which both the zod schema and the JSON Schema accept", function () {
    for (const type of TYPES) {
      const body = schemas[`${type}Body`];
      expect(body, `${type}Body`).to.be.an("object");
      const examples = body!.examples as unknown[];
      expect(examples, `${type}Body examples`).to.be.an("array").with.length.greaterThan(0);
      const validate = validator(ajv, `${type}Body`);
      for (const example of examples) {
        const parsed = RECORD_TYPES[type].safeParse(example);
        expect(parsed.success, `${type} example (zod): ${JSON.stringify(parsed.error?.issues)}`).to.equal(true);
        expect(validate(example), `${type} example (JSON Schema): ${JSON.stringify(validate.errors?.slice(0, 3))}`).to.equal(true);
      }
    }
    // Codes come through as enums and patterns, including those checked by a refinement in zod.
    const order = schemas.OrderBody as { properties: Record<string, Json> };
    expect(order.properties.supervisionMode!.enum).to.include("1210");
    expect(order.properties.destinationCountry!.pattern).to.equal("^[A-Z]{2}$");
    expect(order.properties.currency!.pattern).to.equal("^[A-Z]{3}$");
    expect((schemas.WaybillBody as { properties: Record<string, Json> }).properties.origin!.pattern).to.equal("^[A-Z]{3}$");
  });

  it("the JSON Schema refuses what the record type refuses: a wrong field type, an unknown field, a bad code", function () {
    const validate = validator(ajv, "OrderBody");
    const order = RECORD_EXAMPLES.Order;
    expect(validate({ ...order, total: "735.7" }), "a number as a string").to.equal(false);
    expect(validate({ ...order, platform: "shop-global" }), "an unknown field").to.equal(false);
    expect(validate({ ...order, supervisionMode: "1234" }), "a code not in the list").to.equal(false);
    expect(validate({ ...order, destinationCountry: "cn" }), "a country code's form").to.equal(false);
    const { buyer: _buyer, ...withoutBuyer } = order;
    expect(validate(withoutBuyer), "a required field missing").to.equal(false);
  });

  it("POST /v1/records and the batch take a oneOf of signed records discriminated by type, one per record type", function () {
    const publish = doc.paths["/v1/records"]!.post as { requestBody: { content: Record<string, { schema: Json }> } };
    expect(publish.requestBody.content["application/json"]!.schema).to.deep.equal({ $ref: "#/components/schemas/SignedRecord" });
    const batch = schemas.PublishBatch as { properties: { records: { items: Json } } };
    expect(batch.properties.records.items).to.deep.equal({ $ref: "#/components/schemas/SignedRecord" });
    const union = schemas.SignedRecord as { oneOf: Json[]; discriminator: { propertyName: string; mapping: Record<string, string> } };
    expect(union.discriminator.propertyName).to.equal("type");
    expect(Object.keys(union.discriminator.mapping).sort()).to.deep.equal([...TYPES].sort());
    for (const type of TYPES) {
      expect(union.discriminator.mapping[type]).to.equal(`#/components/schemas/Signed${type}`);
      expect(union.oneOf).to.deep.include({ $ref: `#/components/schemas/Signed${type}` });
      const variant = schemas[`Signed${type}`] as { properties: Record<string, Json>; required: string[] };
      expect(variant.properties.type).to.deep.include({ const: type });
      expect(variant.properties.body).to.deep.equal({ $ref: `#/components/schemas/${type}Body` });
      expect(variant.required).to.include.members(["type", "id", "version", "owner", "body", "salts", "digest", "signature"]);
    }
    // GET /v1/records/{id} answers the same types (fields a reader may not see move to `hidden`).
    const stored = schemas.StoredRecord as { properties: { record: Json } };
    expect(stored.properties.record).to.deep.equal({ $ref: "#/components/schemas/ReadableRecord" });
    expect(Object.keys((schemas.ReadableRecord as { discriminator: { mapping: Json } }).discriminator.mapping).sort()).to.deep.equal([...TYPES].sort());
    // Nowhere else a generic envelope: every signed record in an answer (a customs case, a product story) is typed too.
    const generic: string[] = [];
    const walk = (value: unknown, where: string): void => {
      if (Array.isArray(value)) return value.forEach((v, i) => walk(v, `${where}/${i}`));
      if (!value || typeof value !== "object") return;
      const props = (value as { properties?: Json }).properties;
      if (props && "salts" in props && "signature" in props && !/^#\/components\/schemas\/(Signed|Readable)[A-Z][A-Za-z]+$/.test(where)) generic.push(where);
      for (const [k, v] of Object.entries(value)) walk(v, `${where}/${k}`);
    };
    for (const [name, schema] of Object.entries(schemas)) walk(schema, `#/components/schemas/${name}`);
    expect(generic, "record envelopes not typed by record type").to.deep.equal([]);
    expect(JSON.stringify(schemas.ProductStory)).to.include('"#/components/schemas/ReadableRecord"');
  });

  it("a record signed with the SDK fits SignedRecord; the same envelope with another type's body does not", function () {
    const key = randomOrgKey();
    const validate = validator(ajv, "SignedRecord");
    for (const type of TYPES) {
      const record = signRecord(
        key.privateKey,
        prepareRecord({ type, id: `example-${type.toLowerCase()}`, version: 1, owner: "shop-global" }, RECORD_EXAMPLES[type]),
      );
      expect(validate(record), `${type}: ${JSON.stringify(validate.errors?.slice(0, 3))}`).to.equal(true);
    }
    const order = signRecord(key.privateKey, prepareRecord({ type: "Order", id: "example-order", version: 1, owner: "shop-global" }, RECORD_EXAMPLES.Order));
    expect(validate({ ...order, body: RECORD_EXAMPLES.Shipment }), "an Order with a Shipment's body").to.equal(false);
    expect(validate({ ...order, type: "Invoice" }), "a type the hub does not know").to.equal(false);
  });

  it("EPCIS: the capture body and the query answer are the SDK's EPCIS 2.0 schemas, events typed, examples accepted", function () {
    const capture = doc.paths["/epcis/capture"]!.post as { requestBody: { content: Record<string, { schema: Json }> } };
    expect(capture.requestBody.content["application/ld+json"]!.schema).to.deep.equal({ $ref: "#/components/schemas/EpcisCaptureDocument" });
    const query = schemas.EpcisQueryDocument as {
      properties: { epcisBody: { properties: { queryResults: { properties: { resultsBody: { properties: { eventList: { items: Json } } } } } } } };
    };
    expect(query.properties.epcisBody.properties.queryResults.properties.resultsBody.properties.eventList.items).to.deep.equal({
      $ref: "#/components/schemas/EpcisEvent",
    });
    const checks: [string, { safeParse(v: unknown): { success: boolean } }][] = [
      ["EpcisEvent", EpcisEventSchema],
      ["EpcisEventInput", EpcisEventSchema],
      ["EpcisCaptureDocument", CaptureDocumentSchema],
    ];
    for (const [component, zod] of checks) {
      const examples = schemas[component]!.examples as unknown[];
      expect(examples, `${component} examples`).to.be.an("array").with.length.greaterThan(0);
      const validate = validator(ajv, component);
      for (const example of examples) {
        expect(zod.safeParse(example).success, `${component} example (zod)`).to.equal(true);
        expect(validate(example), `${component} example (JSON Schema): ${JSON.stringify(validate.errors?.slice(0, 3))}`).to.equal(true);
      }
    }
    const event = (schemas.EpcisEvent!.examples as Json[])[0]!;
    expect(validator(ajv, "EpcisEvent")({ ...event, type: "ShippingEvent" }), "an event type EPCIS does not have").to.equal(false);
    expect(validator(ajv, "EpcisEvent")({ ...event, eventTime: "yesterday" }), "a date-time without a zone").to.equal(false);
  });

  it("lists every problem type the hub's code raises, with its type URI, and Problem.type is that list", function () {
    const problemType = schemas.ProblemType as { enum: string[] };
    expect((schemas.Problem as { properties: Record<string, Json> }).properties.type).to.deep.equal({ $ref: "#/components/schemas/ProblemType" });
    for (const uri of problemType.enum) expect(uri).to.match(/^https:\/\/cargoproof\.dev\/problems\/[a-z0-9-]+$/);
    // The kinds as the code raises them: badRequest("kind", ...), forbidden(...), conflict(...), new HttpProblem(4xx, "kind", ...).
    const raised = new Set<string>();
    const call = /\b(?:badRequest|forbidden|conflict|serviceUnavailable|fromZod)\(\s*"([a-z0-9-]+)"|new HttpProblem\(\s*\d{3},\s*"([a-z0-9-]+)"/g;
    for (const file of [...sources("server"), ...sources("sdk")]) for (const m of readFileSync(file, "utf8").matchAll(call)) raised.add((m[1] ?? m[2])!);
    expect(raised.size, "the scan finds the kinds").to.be.greaterThan(50);
    const undocumented = [...raised].filter((kind) => !problemType.enum.includes(PROBLEM_TYPE_BASE + kind));
    expect(undocumented, "raised by the code but in no operation's problems (server/openapi/paths/*.ts)").to.deep.equal([]);
  });
});
