import { describe, expect, it } from 'vitest';
import { esc, escCut, fitLines, truncate } from '../src/slack/views/format.js';
import { strayMarkup } from './support/block-kit-validator.js';

describe('cutting text for Slack', () => {
  it('never cuts an escape, a link, a mention or a character in half', () => {
    const text = `${esc('R&D')} <https://example.com/${'x'.repeat(40)}|runbook> <@U123ABC> <!date^1700000000^{time}|10:00 UTC> 😀😀`;
    for (let max = 1; max <= text.length; max++) {
      const cut = truncate(text, max);
      expect(cut.length).toBeLessThanOrEqual(max);
      expect(strayMarkup(cut), cut).toEqual([]);
      expect(cut, cut).not.toMatch(/[\ud800-\udbff]…$/);
    }
  });

  it('cuts the plain text, then escapes it, within the limit', () => {
    const plain = '<&>'.repeat(100);
    for (const max of [1, 2, 5, 13, 100, 1000]) {
      const cut = escCut(plain, max);
      expect(cut.length).toBeLessThanOrEqual(max);
      expect(cut.replace(/&(amp|lt|gt);/g, '').replace(/…$/, '')).toBe('');
    }
    expect(escCut('a & b', 100)).toBe('a &amp; b');
  });

  it('keeps whole lines and counts the rest, with those never given', () => {
    const lines = Array.from({ length: 10 }, (_, i) => `line ${i} ${'.'.repeat(20)}`);
    expect(fitLines(lines, 1000)).toEqual({ text: lines.join('\n'), shown: 10 });
    const fitted = fitLines(lines, 100, { hidden: 5 });
    expect(fitted.text.length).toBeLessThanOrEqual(100);
    expect(fitted.text.split('\n')).toEqual([...lines.slice(0, fitted.shown), `_… and ${15 - fitted.shown} more_`]);
  });
});
