import { InvalidCollectionNameError } from '../errors.js';

/** The longest collection name the schema stores. */
export const MAX_COLLECTION_NAME_LENGTH = 64;

/**
 * Checks a new collection's name. LSST names use `/` to build hierarchies
 * (`HSC/runs/RC2/w_2024_10`), so `/` is allowed between non-empty segments; what could
 * escape a datastore directory or confuse a shell is not: backslashes, `.` and `..`
 * segments, leading or trailing `/`, empty segments, control characters, leading or
 * trailing spaces, and glob characters `*`, `?`, `[`, `]` (names must not look like patterns).
 *
 * @param name - the proposed name
 * @throws InvalidCollectionNameError saying what is wrong
 */
export function validateCollectionName(name: string): void {
  const bad = (why: string): never => {
    throw new InvalidCollectionNameError(`Collection name ${JSON.stringify(name)} is not allowed: ${why}.`, {
      hint: "Use letters, digits, '_', '-', '.', ':' and '/' between non-empty segments, e.g. 'u/someone/test-run'.",
    });
  };
  if (name.length === 0) bad('it is empty');
  if (name.length > MAX_COLLECTION_NAME_LENGTH) bad(`it has ${name.length} characters (at most ${MAX_COLLECTION_NAME_LENGTH})`);
   
  if (/[\u0000-\u001f\u007f]/.test(name)) bad('it contains a control character');
  if (name.includes('\\')) bad('it contains a backslash (a path separator)');
  if (/[*?[\]]/.test(name)) bad('it contains a glob character (* ? [ ])');
  if (name !== name.trim()) bad('it starts or ends with a space');
  if (name.startsWith('/') || name.endsWith('/')) bad("it starts or ends with '/'");
  for (const seg of name.split('/')) {
    if (seg === '') bad("it has an empty segment ('//')");
    if (seg === '.' || seg === '..') bad(`it has a '${seg}' segment`);
  }
}
