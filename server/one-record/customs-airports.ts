import { z } from "zod";

/**
 * `CUSTOMS_AIRPORTS`: which customs organisation reads the manifest of flights arriving where, e.g.
 * "customs-hkg=HKG;customs-pvg=PVG,SHA" (an airport may be named by several organisations). Parsed
 * to airport code -> customs organisation ids. Kept apart from the policy so that the configuration
 * loads nothing of the hub.
 */
export const CustomsAirportsSchema = z
  .string()
  .default("")
  .transform((text, ctx) => {
    const airports = new Map<string, string[]>();
    for (const entry of text
      .split(";")
      .map((e) => e.trim())
      .filter((e) => e !== "")) {
      const m = /^([a-z0-9][a-z0-9-]{1,30})=([A-Za-z]{3}(?:\s*,\s*[A-Za-z]{3})*)$/.exec(entry);
      if (!m) {
        ctx.addIssue({ code: "custom", message: `"${entry.slice(0, 80)}" is not <customs org id>=<IATA airport code>[,<code>...]` });
        return z.NEVER;
      }
      for (const code of m[2]!.split(",").map((c) => c.trim().toUpperCase())) {
        const orgs = airports.get(code) ?? [];
        if (!orgs.includes(m[1]!)) orgs.push(m[1]!);
        airports.set(code, orgs);
      }
    }
    return airports as ReadonlyMap<string, readonly string[]>;
  });
export type CustomsAirports = z.output<typeof CustomsAirportsSchema>;
