// The shared fixture query-expressions.txt (daf_butler's parser, lexer and time-string test
// cases), read section by section for the tests that use it.
import { readFileSync } from 'node:fs';
import { fixturePath } from '@skystack/test-support';

/** The fixture's path, or undefined when the fixtures are missing (outside CI). */
export const EXPRESSION_FIXTURE = fixturePath('daf_butler', 'query-expressions.txt');
const file = EXPRESSION_FIXTURE;

/**
 * The lines of one `[section]` of the fixture, split on tabs (empty when the fixtures are
 * missing outside CI).
 *
 * @param name - the section name, e.g. `parser`
 * @returns the rows
 */
export function expressionFixtureSection(name: string): string[][] {
  if (file === undefined) return [];
  const rows: string[][] = [];
  let current = '';
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) current = header[1]!;
    else if (current === name) rows.push(line.split('\t'));
  }
  return rows;
}
