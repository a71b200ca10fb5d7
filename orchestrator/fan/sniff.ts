const NUMBER = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;

/**
 * Whether the first of `lines` is a CSV (or TSV) header, decided as Python's
 * `csv.Sniffer.has_header` does: each column whose values below are all numbers, or all of
 * one length, votes for a header when the first line's value is not a number, or not of that
 * length, and against it otherwise. Lines of another number of fields do not count. The fields
 * are split on TABs when the first line has one, else on commas outside double quotes.
 */
export function looksLikeHeader(lines: readonly Buffer[]): boolean {
  const texts = lines.map((line) => line.toString('utf8').replace(/\r?\n$/, ''));
  const separator = texts[0]!.includes('\t') ? '\t' : ',';
  const [first, ...rest] = texts.map((text) => splitFields(text, separator));
  const rows = rest.filter((row) => row.length === first!.length);
  if (rows.length === 0) return false;
  let votes = 0;
  first!.forEach((title, column) => {
    const values = rows.map((row) => row[column]!);
    if (values.every((value) => NUMBER.test(value))) {
      votes += NUMBER.test(title) ? -1 : 1;
    } else if (values.every((value) => value.length === values[0]!.length)) {
      votes += title.length === values[0]!.length ? -1 : 1;
    }
  });
  return votes > 0;
}

function splitFields(text: string, separator: string): string[] {
  if (separator === '\t') return text.split('\t');
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (const char of text) {
    if (char === '"') quoted = !quoted;
    else if (char === ',' && !quoted) {
      fields.push(field);
      field = '';
      continue;
    }
    field += char;
  }
  fields.push(field);
  return fields;
}
