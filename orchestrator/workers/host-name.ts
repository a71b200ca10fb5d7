import { quoteWord } from '../../filters/errors.js';
/**
 * Why a host that is a number (`3`, `0x10`, `127.1`, `010.0.0.1`) is no host name, or null: the
 * system's resolver reads one as an IPv4 address in inet_aton's short forms (0.0.0.3,
 * 0.0.0.16, 127.0.0.1, 8.0.0.1), never as a name, and ssh or the queue's client then waits on
 * an address no one meant (`--host 0x10` waited out --host-timeout; a config's `queue: 3`, YAML
 * kept as text, was nats://3:4222). A name, a dotted quad of decimal parts and IPv6 are null.
 */
export function numericHostProblem(host: string): string | null {
  const parts = host.split('.');
  if (parts.length > 4 || !parts.every((part) => /^(?:0x[0-9a-f]*|[0-9]+)$/i.test(part)))
    return null;
  const decimal = (part: string) => /^(?:0|[1-9][0-9]{0,2})$/.test(part) && Number(part) <= 255;
  if (parts.length === 4 && parts.every(decimal)) return null;
  const address = inetAton(parts);
  const read = address === null ? 'is no address either' : `is read as the address ${address}`;
  return `a host name is never a number (${quoteWord(host)} ${read}; write an address as a.b.c.d)`;
}

/** The dotted quad inet_aton makes of numeric parts (hex 0x, octal 0, decimal), or null. */
function inetAton(parts: string[]): string | null {
  const values = parts.map((part) =>
    /^0x/i.test(part)
      ? Number.parseInt(part.slice(2) || 'x', 16)
      : /^0[0-7]+$/.test(part)
        ? Number.parseInt(part, 8)
        : /^(?:0|[1-9][0-9]*)$/.test(part)
          ? Number(part)
          : Number.NaN,
  );
  // The last part fills the bytes the others leave: a.b.c.d, a.b.16 bits, a.24 bits, 32 bits.
  const last = values.length - 1;
  if (values.some((value, i) => !(value >= 0) || value >= (i < last ? 256 : 2 ** (8 * (4 - last)))))
    return null;
  const bytes = values.slice(0, last);
  const rest = values[last]!;
  for (let i = 4 - last - 1; i >= 0; i--) bytes.push(Math.floor(rest / 256 ** i) % 256);
  return bytes.join('.');
}
