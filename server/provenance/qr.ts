import QRCode from "qrcode";

/** QR codes of a code's URI: error correction M (GS1's usual choice for packaging), the standard 4-module quiet zone. */
const OPTIONS = { errorCorrectionLevel: "M", margin: 4 } as const;

export const QR_FORMATS = ["svg", "png"] as const;
export type QrFormat = (typeof QR_FORMATS)[number];

/** PNG width in pixels: default, and the bounds a request may ask for. */
export const QR_PNG_WIDTH = { default: 512, min: 64, max: 2048 } as const;

export async function renderQr(text: string, format: QrFormat, width: number = QR_PNG_WIDTH.default): Promise<{ body: Buffer; contentType: string }> {
  if (format === "svg") return { body: Buffer.from(await QRCode.toString(text, { ...OPTIONS, type: "svg" }), "utf8"), contentType: "image/svg+xml" };
  return { body: await QRCode.toBuffer(text, { ...OPTIONS, type: "png", width }), contentType: "image/png" };
}
