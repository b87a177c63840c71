import { ConnectionsDefinitionError } from './errors.js';

/**
 * The template names in a dataset type name template, as Python's `string.Formatter().parse`
 * finds them (`{coaddName}Coadd_{kind}` → `coaddName`, `kind`; `{{` and `}}` are literal braces).
 *
 * @param template - the name template
 * @returns the template names, in order of first appearance
 * @throws {@link ConnectionsDefinitionError} for an unbalanced brace or an empty or formatted field
 */
export function templateNames(template: string): string[] {
  const out: string[] = [];
  scan(template, (name) => {
    if (!out.includes(name)) out.push(name);
    return '';
  });
  return out;
}

/**
 * Expands `{name}` templates as Python's `str.format(**values)` does for dataset type names
 * (`{coaddName}Coadd` with `{ coaddName: 'deep' }` → `deepCoadd`); `{{`/`}}` are literal braces.
 *
 * @param template - the name template
 * @param values - the template values
 * @returns the expanded name
 * @throws {@link ConnectionsDefinitionError} for a template with no value, or bad braces
 */
export function formatTemplate(template: string, values: Readonly<Record<string, string>>): string {
  return scan(template, (name) => {
    const v = values[name];
    if (v === undefined) {
      throw new ConnectionsDefinitionError(`No value for template '{${name}}' in '${template}'.`, {
        hint: `Known templates: ${Object.keys(values).join(', ') || '(none)'}.`,
      });
    }
    return v;
  });
}

function scan(template: string, field: (name: string) => string): string {
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c === '{') {
      if (template[i + 1] === '{') {
        out += '{';
        i++;
        continue;
      }
      const end = template.indexOf('}', i);
      if (end < 0) throw new ConnectionsDefinitionError(`Unbalanced '{' in dataset type name template '${template}'.`);
      const name = template.slice(i + 1, end);
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
        throw new ConnectionsDefinitionError(`Template field '{${name}}' in '${template}' must be a plain identifier.`);
      }
      out += field(name);
      i = end;
    } else if (c === '}') {
      if (template[i + 1] !== '}') throw new ConnectionsDefinitionError(`Single '}' in dataset type name template '${template}'.`);
      out += '}';
      i++;
    } else {
      out += c;
    }
  }
  return out;
}
