import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as fontkit from 'fontkit';

/**
 * The typeface of invoice documents: DejaVu Sans Condensed, a Unicode TrueType font shipped in an
 * npm package, so accents (México, Associés, São Paulo) render on any machine without system
 * fonts, and condensed so long descriptions and entity names fit the columns.
 *
 * Fonts are parsed once per process and shared by every document. Two caches make a render cheap
 * (the naive way, handing pdfkit the file each time, parses and re-subsets the font per document
 * and costs tens of milliseconds): text layouts are shared across documents, and the embedded subset is encoded
 * once per distinct glyph set (see SEED_TEXT).
 */
export interface DocumentFonts {
  regular: fontkit.Font;
  bold: fontkit.Font;
}

const REGULAR_FILE = 'DejaVuSansCondensed.ttf';
const BOLD_FILE = 'DejaVuSansCondensed-Bold.ttf';

/**
 * Glyphs every document embeds first, in this order. pdfkit numbers a subset's glyphs in the order
 * they are first used, so without a fixed prefix two invoices whose amounts differ would embed
 * different subsets and none could be reused; with it, almost every document of a language embeds
 * the same subset. Printable ASCII plus the spaces Intl puts in amounts and date ranges.
 */
export const SEED_TEXT = (() => {
  let s = '';
  for (let c = 0x21; c < 0x7f; c++) s += String.fromCharCode(c);
  return s + ' \u00a0\u202f\u2009\u2013';
})();

const LAYOUT_CACHE_LIMIT = 50_000;
const SUBSET_CACHE_LIMIT = 64;

interface Position {
  xAdvance: number;
  yAdvance: number;
  xOffset: number;
  yOffset: number;
}

/** What pdfkit reads from a layout; its advanceWidth follows the (scaled in place) positions. */
class SharedRun {
  constructor(
    readonly glyphs: fontkit.Glyph[],
    readonly positions: Position[],
  ) {}
  get advanceWidth(): number {
    let w = 0;
    for (const p of this.positions) w += p.xAdvance;
    return w;
  }
}

/** A shaped string: the engine's GlyphRun, or one put together from its characters' runs. */
interface Layout {
  glyphs: fontkit.Glyph[];
  positions: Position[];
}

interface EncodableSubset {
  glyphs: number[];
  encode(): Uint8Array;
}

/** Latin, punctuation and currency signs: scripts whose shaping is pairwise (kerning, ligatures). */
const PAIRWISE_TEXT = /^[\u0020-\u024f\u2000-\u206f\u20a0-\u20cf]+$/;

/**
 * The font as pdfkit sees it, with both caches. pdfkit scales a layout's positions in place, so
 * every caller gets fresh positions over the shared glyphs.
 *
 * Most distinct strings on an invoice are amounts and numbers ("$1,234.56"). Rather than shape
 * each with the full OpenType engine, a Latin string whose every adjacent pair of characters
 * shapes exactly as the two characters do alone (no kerning, no ligature: learnt once per pair)
 * is put together from its characters' cached layouts; anything else goes to the engine.
 */
function shareable(font: fontkit.Font): fontkit.Font {
  const layouts = new Map<string, Layout>();
  const pairIsPlain = new Map<string, boolean>();
  const subsets = new Map<string, Uint8Array>();

  const engine = (text: string): Layout => {
    let run = layouts.get(text);
    if (!run) {
      if (layouts.size >= LAYOUT_CACHE_LIMIT) layouts.clear();
      run = font.layout(text);
      layouts.set(text, run);
    }
    return run;
  };
  const plainPair = (pair: string): boolean => {
    let plain = pairIsPlain.get(pair);
    if (plain === undefined) {
      const run = font.layout(pair);
      const a = engine(pair[0]!);
      const b = engine(pair[1]!);
      plain =
        run.glyphs.length === 2 &&
        a.glyphs.length === 1 &&
        b.glyphs.length === 1 &&
        run.glyphs[0]!.id === a.glyphs[0]!.id &&
        run.glyphs[1]!.id === b.glyphs[0]!.id &&
        samePosition(run.positions[0]!, a.positions[0]!) &&
        samePosition(run.positions[1]!, b.positions[0]!);
      pairIsPlain.set(pair, plain);
    }
    return plain;
  };
  const composable = (text: string): boolean => {
    if (text.length < 2 || !PAIRWISE_TEXT.test(text)) return false;
    for (let i = 1; i < text.length; i++) if (!plainPair(text.slice(i - 1, i + 1))) return false;
    return true;
  };
  const compose = (text: string): Layout => {
    const glyphs: fontkit.Glyph[] = [];
    const positions: Position[] = [];
    for (const ch of text) {
      const run = engine(ch);
      glyphs.push(run.glyphs[0]!);
      positions.push(run.positions[0]!);
    }
    return { glyphs, positions };
  };

  const shared = Object.create(font) as fontkit.Font;
  Object.defineProperty(shared, 'layout', {
    value(text: string, features?: string[] | Record<string, boolean>): fontkit.GlyphRun {
      if (features) return font.layout(text, features);
      let run = layouts.get(text);
      if (!run) {
        if (composable(text)) {
          if (layouts.size >= LAYOUT_CACHE_LIMIT) layouts.clear();
          run = compose(text);
          layouts.set(text, run);
        } else {
          run = engine(text);
        }
      }
      return new SharedRun(run.glyphs, run.positions.map(copyPosition)) as unknown as fontkit.GlyphRun;
    },
  });
  Object.defineProperty(shared, 'createSubset', {
    value(): fontkit.Subset {
      const subset = font.createSubset() as unknown as EncodableSubset;
      const encode = subset.encode.bind(subset);
      subset.encode = () => {
        const key = subset.glyphs.join(',');
        let bytes = subsets.get(key);
        if (!bytes) {
          if (subsets.size >= SUBSET_CACHE_LIMIT) subsets.clear();
          bytes = encode();
          subsets.set(key, bytes);
        }
        return bytes;
      };
      return subset as unknown as fontkit.Subset;
    },
  });
  return shared;
}

const copyPosition = (p: Position): Position => ({
  xAdvance: p.xAdvance,
  yAdvance: p.yAdvance,
  xOffset: p.xOffset,
  yOffset: p.yOffset,
});

const samePosition = (a: Position, b: Position) =>
  a.xAdvance === b.xAdvance &&
  a.yAdvance === b.yAdvance &&
  a.xOffset === b.xOffset &&
  a.yOffset === b.yOffset;

function loadFont(dir: string, file: string): fontkit.Font {
  const font = fontkit.create(readFileSync(join(dir, file)));
  if (!('layout' in font)) throw new Error(`${file} is a font collection, not a single font.`);
  return font;
}

let loaded: DocumentFonts | undefined;

/** The shared fonts, read from the package on first use. */
export function documentFonts(): DocumentFonts {
  if (!loaded) {
    const require = createRequire(import.meta.url);
    const dir = join(dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
    loaded = {
      regular: shareable(loadFont(dir, REGULAR_FILE)),
      bold: shareable(loadFont(dir, BOLD_FILE)),
    };
  }
  return loaded;
}
