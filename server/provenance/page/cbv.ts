/**
 * The bare CBV word of a business step, disposition or error reason as EPCIS events write it: "shipping",
 * "urn:epcglobal:cbv:bizstep:shipping", "cbv:BizStep-shipping" or
 * "https://ref.gs1.org/cbv/BizStep-shipping" all give "shipping". Anything else (a private
 * vocabulary) is returned as written.
 */
export function cbvWord(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const m =
    /^urn:epcglobal:cbv:(?:bizstep|disp|er):([A-Za-z_]+)$/.exec(value) ??
    /^(?:cbv:|https?:\/\/ref\.gs1\.org\/cbv\/)(?:BizStep|Disp|ER)-([A-Za-z_]+)$/.exec(value);
  return m ? m[1] : value;
}
