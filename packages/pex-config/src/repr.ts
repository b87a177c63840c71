/**
 * Renders a value as a Python literal, as pex_config writes values into override files:
 * `None`, `True`, `3`, `1.5`, `'text'`, `[1, 2]`, `{'a': 1}`; `float('nan')` for NaN.
 *
 * @param value - a scalar, array or plain object
 * @param floatDType - whether numbers are floats (integers then get a `.0`)
 * @returns the Python literal
 * @internal
 */
export function pyRepr(value: unknown, floatDType = false): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return pyNumber(value, floatDType);
  if (typeof value === 'string') return pyString(value);
  if (Array.isArray(value)) return `[${value.map((v) => pyRepr(v, floatDType)).join(', ')}]`;
  if (typeof value === 'object') {
    const parts = Object.entries(value as Record<string, unknown>).map(
      ([k, v]) => `${pyString(k)}: ${pyRepr(v, floatDType)}`,
    );
    return `{${parts.join(', ')}}`;
  }
  return pyString(String(value));
}

/**
 * Renders a dict with integer keys (`{1: 'a'}`) or string keys.
 *
 * @param value - the dict
 * @param intKeys - whether keys are integers
 * @param floatDType - whether values are floats
 * @returns the Python literal
 * @internal
 */
export function pyDictRepr(value: Record<string, unknown>, intKeys: boolean, floatDType: boolean): string {
  const parts = Object.entries(value).map(
    ([k, v]) => `${intKeys ? k : pyString(k)}: ${pyRepr(v, floatDType)}`,
  );
  return `{${parts.join(', ')}}`;
}

function pyNumber(v: number, float: boolean): string {
  if (Number.isNaN(v)) return "float('nan')";
  if (v === Infinity) return "float('inf')";
  if (v === -Infinity) return "float('-inf')";
  let s = String(v);
  if (s.includes('e')) {
    s = s.replace(/e([+-])(\d)$/, 'e$10$2');
    return s;
  }
  if (float && Number.isInteger(v)) s += '.0';
  return s;
}

function pyString(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + quote;
}
