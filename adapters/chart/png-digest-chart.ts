/**
 * The digest's chart, drawn pixel by pixel with pngjs (pure JS, no native canvas): new (blue) and
 * closed (orange) tickets per day as paired bars, a light grid, and labels in a 3×5 bitmap font.
 */
import { PNG } from 'pngjs';
import type { DailyCounts } from '../../src/domain/digest.ts';
import type { DigestChartRenderer } from '../../src/ports/digest-publisher.ts';

type Rgb = readonly [number, number, number];

export const CHART_COLOURS = {
  background: [255, 255, 255],
  grid: [225, 228, 232],
  axis: [90, 96, 105],
  text: [40, 44, 52],
  created: [46, 110, 200],
  closed: [240, 140, 40],
} as const satisfies Record<string, Rgb>;

/** 3×5 glyphs, one string of 15 bits per character (rows top to bottom). */
const GLYPHS: Record<string, string> = {
  '0': '111101101101111',
  '1': '010110010010111',
  '2': '111001111100111',
  '3': '111001111001111',
  '4': '101101111001001',
  '5': '111100111001111',
  '6': '111100111101111',
  '7': '111001001001001',
  '8': '111101111101111',
  '9': '111101111001111',
  '-': '000000111000000',
  '/': '001001010100100',
  ' ': '000000000000000',
  N: '101111111111101',
  E: '111100110100111',
  W: '101101111111101',
  C: '111100100100111',
  L: '100100100100111',
  O: '111101101101111',
  S: '111100111001111',
  D: '110101101101110',
};

export class PngDigestChart implements DigestChartRenderer {
  readonly #width: number;
  readonly #height: number;

  constructor(options: { width?: number; height?: number } = {}) {
    this.#width = options.width ?? 720;
    this.#height = options.height ?? 320;
  }

  render(history: readonly DailyCounts[]): Uint8Array {
    const width = this.#width;
    const height = this.#height;
    const png = new PNG({ width, height, colorType: 2, inputHasAlpha: true });
    const set = (x: number, y: number, [r, g, b]: Rgb) => {
      if (x < 0 || y < 0 || x >= width || y >= height) return;
      const i = (y * width + x) * 4;
      png.data[i] = r;
      png.data[i + 1] = g;
      png.data[i + 2] = b;
      png.data[i + 3] = 255;
    };
    const rect = (x0: number, y0: number, w: number, h: number, colour: Rgb) => {
      for (let y = Math.max(0, Math.floor(y0)); y < Math.min(height, Math.ceil(y0 + h)); y++) {
        for (let x = Math.max(0, Math.floor(x0)); x < Math.min(width, Math.ceil(x0 + w)); x++) set(x, y, colour);
      }
    };
    const text = (s: string, x: number, y: number, scale: number, colour: Rgb) => {
      let cx = x;
      for (const ch of s.toUpperCase()) {
        const glyph = GLYPHS[ch] ?? GLYPHS[' '] ?? '';
        for (let i = 0; i < 15; i++)
          if (glyph[i] === '1') rect(cx + (i % 3) * scale, y + Math.floor(i / 3) * scale, scale, scale, colour);
        cx += 4 * scale;
      }
    };
    const textWidth = (s: string, scale: number) => s.length * 4 * scale - scale;

    rect(0, 0, width, height, CHART_COLOURS.background);
    const left = 48;
    const right = width - 16;
    const top = 40;
    const bottom = height - 36;
    const plotHeight = bottom - top;
    const max = Math.max(1, ...history.flatMap((d) => [d.created, d.closed]));
    const step = niceStep(max);
    const ceiling = Math.ceil(max / step) * step;

    // Legend: NEW and CLOSED swatches.
    rect(left, 14, 12, 12, CHART_COLOURS.created);
    text('NEW', left + 18, 15, 2, CHART_COLOURS.text);
    rect(left + 70, 14, 12, 12, CHART_COLOURS.closed);
    text('CLOSED', left + 88, 15, 2, CHART_COLOURS.text);

    for (let v = 0; v <= ceiling; v += step) {
      const y = Math.round(bottom - (v / ceiling) * plotHeight);
      rect(left, y, right - left, 1, CHART_COLOURS.grid);
      const label = String(v);
      text(label, left - 6 - textWidth(label, 2), y - 5, 2, CHART_COLOURS.axis);
    }
    rect(left, bottom, right - left, 1, CHART_COLOURS.axis);
    rect(left, top, 1, plotHeight, CHART_COLOURS.axis);

    const slot = (right - left) / Math.max(1, history.length);
    const barWidth = Math.max(2, Math.floor(slot * 0.32));
    history.forEach((d, i) => {
      const x = left + i * slot + (slot - 2 * barWidth - 2) / 2;
      const hCreated = (d.created / ceiling) * plotHeight;
      const hClosed = (d.closed / ceiling) * plotHeight;
      rect(x, bottom - hCreated, barWidth, hCreated, CHART_COLOURS.created);
      rect(x + barWidth + 2, bottom - hClosed, barWidth, hClosed, CHART_COLOURS.closed);
      // Day of month under each pair; the month too on the first day and on the 1st.
      const dayLabel = i === 0 || d.day.endsWith('-01') ? d.day.slice(5).replace('-', '/') : d.day.slice(8);
      text(dayLabel, left + i * slot + (slot - textWidth(dayLabel, 2)) / 2, bottom + 8, 2, CHART_COLOURS.axis);
    });
    return PNG.sync.write(png, { colorType: 2 });
  }
}

function niceStep(max: number): number {
  const raw = max / 5;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * magnitude >= raw) return Math.max(1, m * magnitude);
  return Math.max(1, 10 * magnitude);
}
