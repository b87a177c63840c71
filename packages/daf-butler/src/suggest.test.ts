import { describe, expect, it } from 'vitest';
import { editDistance, suggest } from './suggest.js';

describe('editDistance', () => {
  it.each<[string, string, number]>([
    ['', '', 0],
    ['abc', '', 3],
    ['', 'abc', 3],
    ['calexp', 'calexp', 0],
    ['kitten', 'sitting', 3],
    ['flaw', 'lawn', 2],
    ['calExp', 'calexp', 1],
    ['vist', 'visit', 1],
    ['ab', 'ba', 1],
    ['detcetor', 'detector', 1],
    // Restricted (optimal string alignment) Damerau distance: a transposed pair is not edited again.
    ['ca', 'abc', 3],
  ])('%j -> %j is %i', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });
});

describe('suggest', () => {
  it("suggests 'calexp' for 'calExp'", () => {
    const hint = suggest('calExp', ['calexp', 'src']);
    expect(hint).toContain("'calexp'");
    expect(hint).toBe("Did you mean 'calexp'?");
  });

  it('prefers a case-insensitive match over a closer spelling', () => {
    expect(suggest('CALEXP', ['calexp', 'calexq'])).toBe("Did you mean 'calexp'?");
  });

  it('lists up to three equally close names, sorted', () => {
    expect(suggest('srcs', ['src', 'srd', 'sr', 'xyz'])).toBe("Did you mean 'src'?");
    expect(suggest('abcd', ['abce', 'abcf', 'abcg', 'abch'])).toBe("Did you mean 'abce' or 'abcf' or 'abcg'?");
  });

  it('says nothing when no name is close', () => {
    expect(suggest('xyz', ['calexp', 'src'])).toBeUndefined();
    expect(suggest('calexp', [])).toBeUndefined();
    // Short names allow one edit only.
    expect(suggest('ab', ['xy'])).toBeUndefined();
    expect(suggest('ab', ['abc'])).toBe("Did you mean 'abc'?");
  });
});
