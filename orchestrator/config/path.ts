/** `stages[2]`, `stages[1].branches.a[0]`: how a place in a config is called in messages. */
export function describePath(path: (string | number)[]): string {
  return path
    .map((step, i) => (typeof step === 'number' ? `[${step}]` : i === 0 ? step : `.${step}`))
    .join('');
}
