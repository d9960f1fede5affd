import ipaddr from "ipaddr.js";

/**
 * Whether the hub may call an address: a public unicast address, judged by ipaddr.js's ranges.
 * An allow-list, not a block-list: IPv4 must be plain `unicast` (no loopback, private, CGNAT,
 * link-local, 0.0.0.0/8, multicast, reserved, ...); IPv6 must be global unicast (2000::/3) and
 * `unicast`. Forms that carry an IPv4 address (mapped ::ffff:0:0/96, NAT64 64:ff9b::/96, 6to4
 * 2002::/16, Teredo 2001::/32) are judged by the IPv4 address(es) they carry, since that is where
 * the packets end up. Anything ipaddr.js cannot parse is not public.
 */
export function isPublicAddress(text: string): boolean {
  const canonical = text.includes(":") ? canonicalIPv6(text) : text;
  if (canonical === undefined || !ipaddr.isValid(canonical)) return false;
  return isPublic(ipaddr.parse(canonical));
}

/**
 * IPv6 text in the URL standard's hex form. ipaddr.js reads `::a.b.c.d` as IPv4-mapped
 * (::ffff:a.b.c.d) where it is IPv4-compatible (::/96); the URL parser reads it as written.
 */
function canonicalIPv6(text: string): string | undefined {
  try {
    return new URL(`http://[${text}]/`).hostname.slice(1, -1);
  } catch {
    return undefined;
  }
}

const GLOBAL_UNICAST = ipaddr.parseCIDR("2000::/3");
const NAT64_WELL_KNOWN = ipaddr.parseCIDR("64:ff9b::/96");

function isPublic(address: ipaddr.IPv4 | ipaddr.IPv6): boolean {
  if (address.kind() === "ipv4") return (address as ipaddr.IPv4).range() === "unicast";
  const v6 = address as ipaddr.IPv6;
  const p = v6.parts;
  switch (v6.range()) {
    case "ipv4Mapped":
      return isPublic(v6.toIPv4Address());
    case "rfc6052":
      // Only the well-known /96 carries its IPv4 address in the last 32 bits; 64:ff9b:1::/48 is local-use (RFC 8215).
      return v6.match(NAT64_WELL_KNOWN) && isPublic(ipv4(p[6]!, p[7]!));
    case "6to4":
      return isPublic(ipv4(p[1]!, p[2]!));
    case "teredo":
      // 2001:0:<server v4>:<flags>:<port>:<client v4, bits inverted>
      return isPublic(ipv4(p[2]!, p[3]!)) && isPublic(ipv4(~p[6]! & 0xffff, ~p[7]! & 0xffff));
    case "unicast":
      return v6.match(GLOBAL_UNICAST);
    default:
      return false;
  }
}

const ipv4 = (high: number, low: number) => new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
