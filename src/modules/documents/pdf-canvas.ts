import { deflateSync } from 'node:zlib';
import PDFDocument from 'pdfkit';
import { type DocumentFonts, SEED_TEXT } from './fonts.ts';

/**
 * A thin drawing surface over pdfkit for documents laid out by hand: every string is placed at an
 * explicit position on one line (no pdfkit line wrapping or automatic page breaks), so the layout
 * code alone decides where pages break. pdfkit shapes, subsets and embeds the fonts, draws the
 * shapes and writes the file; the canvas writes each string's text object itself (showText).
 */
export type Align = 'left' | 'right' | 'center';

export interface TextStyle {
  size: number;
  bold?: boolean;
  color?: string;
  /** Extra space between letters, in points (small-caps style labels). */
  spacing?: number;
}

export interface PageGeometry {
  size: 'LETTER' | 'A4';
  width: number;
  height: number;
}

export const PAGE_SIZES: Record<PageGeometry['size'], PageGeometry> = {
  LETTER: { size: 'LETTER', width: 612, height: 792 },
  A4: { size: 'A4', width: 595.28, height: 841.89 },
};

export interface CanvasOptions {
  page: PageGeometry;
  fonts: DocumentFonts;
  /** Document information; CreationDate must come from the document, never the wall clock. */
  info: PDFKit.DocumentInfo & { CreationDate: Date };
  lang: string;
}

/** A number as PDF content writes it (pdfkit rounds the same way). */
const pdfNumber = (n: number) => String(Math.round(n * 1e6) / 1e6);

interface GlyphPosition {
  xAdvance: number;
  advanceWidth: number;
  xOffset: number;
  yOffset: number;
}

/**
 * The parts of pdfkit (0.20) below its public API that the canvas uses: the current font's
 * shaping into subset glyph codes, its resource name, and the page's font resources. A document
 * without them falls back to pdfkit's text(); the tests read every document back as text.
 */
interface PdfkitInternals {
  _font: {
    id: string;
    ascender: number;
    encode(text: string): [string[], GlyphPosition[]];
    ref(): unknown;
  };
  page: { fonts: Record<string, unknown> };
  addContent(data: string): unknown;
}

const REGULAR = 'regular';
const BOLD = 'bold';

export class PdfCanvas {
  readonly doc: PDFKit.PDFDocument;
  readonly page: PageGeometry;
  private readonly chunks: Buffer[] = [];
  private readonly done: Promise<Buffer>;
  private font = '';
  private size = 0;
  private color = '';

  constructor(options: CanvasOptions) {
    this.page = options.page;
    this.doc = new PDFDocument({
      size: options.page.size,
      margin: 0,
      bufferPages: true,
      autoFirstPage: true,
      // No default font: pdfkit would otherwise parse Helvetica's metrics for every document.
      font: null as unknown as string,
      info: { Producer: 'Tollbooth', Creator: 'Tollbooth', ...options.info },
      lang: options.lang,
      displayTitle: true,
    });
    this.done = new Promise((resolve, reject) => {
      this.doc.on('data', (chunk: Buffer) => this.chunks.push(chunk));
      this.doc.on('end', () => resolve(Buffer.concat(this.chunks)));
      this.doc.on('error', reject);
    });
    this.doc.registerFont(REGULAR, options.fonts.regular as unknown as Uint8Array);
    this.doc.registerFont(BOLD, options.fonts.bold as unknown as Uint8Array);
    for (const name of [REGULAR, BOLD]) {
      this.doc.font(name);
      (this.doc as unknown as Partial<PdfkitInternals>)._font?.encode?.(SEED_TEXT);
    }
  }

  private use(style: TextStyle): void {
    const font = style.bold ? BOLD : REGULAR;
    if (font !== this.font) {
      this.doc.font(font);
      this.font = font;
    }
    if (style.size !== this.size) {
      this.doc.fontSize(style.size);
      this.size = style.size;
    }
    const color = style.color ?? '#000000';
    if (color !== this.color) {
      this.doc.fillColor(color);
      this.color = color;
    }
  }

  measure(text: string, style: TextStyle): number {
    this.use(style);
    const spacing = style.spacing ?? 0;
    return this.doc.widthOfString(text) + (spacing ? spacing * (text.length - 1) : 0);
  }

  /** One line of text; x is its left edge, right edge or centre according to `align`. */
  text(text: string, x: number, y: number, style: TextStyle, align: Align = 'left'): void {
    if (!text) return;
    this.use(style);
    const spacing = style.spacing ?? 0;
    const font = (this.doc as unknown as PdfkitInternals)._font;
    const shaped = typeof font?.encode === 'function' ? font.encode(text) : undefined;
    if (!shaped || shaped[1].some((p) => p.xOffset || p.yOffset)) {
      this.pdfkitText(text, x, y, style, align);
      return;
    }
    const [glyphs, positions] = shaped;
    let advance = 0;
    for (const p of positions) advance += p.xAdvance;
    const extent = (advance / 1000) * this.size + (spacing ? spacing * (text.length - 1) : 0);
    const left = align === 'left' ? x : align === 'right' ? x - extent : x - extent / 2;
    this.showText(glyphs, positions, left, y, spacing);
  }

  /**
   * Writes shaped glyphs as one text object, as pdfkit's own text() does but without its line
   * machinery (options, wrapping, re-measuring, a save/transform/restore per string), which is
   * most of the cost of a document made of a few hundred short strings.
   */
  private showText(glyphs: string[], positions: GlyphPosition[], left: number, top: number, spacing: number) {
    const doc = this.doc as unknown as PdfkitInternals;
    const font = doc._font;
    let array = '';
    let run = '';
    for (let i = 0; i < positions.length; i++) {
      const p = positions[i]!;
      run += glyphs[i];
      const kerning = p.xAdvance - p.advanceWidth;
      if (kerning !== 0) {
        array += `<${run}> ${pdfNumber(-kerning)} `;
        run = '';
      }
    }
    if (run) array += `<${run}>`;
    if (doc.page.fonts[font.id] == null) doc.page.fonts[font.id] = font.ref();
    // pdfkit's pages run top-down (it flips the page matrix); the text matrix turns glyphs upright.
    const baseline = top + (font.ascender / 1000) * this.size;
    const tc = spacing ? `${pdfNumber(spacing)} Tc\n` : '';
    doc.addContent(
      `BT\n/${font.id} ${pdfNumber(this.size)} Tf\n${tc}1 0 0 -1 ${pdfNumber(left)} ${pdfNumber(baseline)} Tm\n` +
        `[${array}] TJ\n${spacing ? '0 Tc\n' : ''}ET`,
    );
  }

  /** pdfkit's text(), for what showText does not handle (glyphs positioned off the line). */
  private pdfkitText(text: string, x: number, y: number, style: TextStyle, align: Align) {
    const spacing = style.spacing ?? 0;
    const width = this.doc.widthOfString(text);
    const extent = width + (spacing ? spacing * (text.length - 1) : 0);
    const left = align === 'left' ? x : align === 'right' ? x - extent : x - extent / 2;
    this.doc.text(text, left, y, { lineBreak: false, ...(spacing ? { characterSpacing: spacing } : {}) });
  }

  /** Greedy word wrap to `width`; a word longer than a line is broken between characters. */
  wrap(text: string, width: number, style: TextStyle): string[] {
    if (this.measure(text, style) <= width) return [text];
    const lines: string[] = [];
    let line = '';
    for (const word of text.split(/\s+/)) {
      const candidate = line ? `${line} ${word}` : word;
      if (this.measure(candidate, style) <= width) {
        line = candidate;
        continue;
      }
      if (line) lines.push(line);
      line = word;
      while (this.measure(line, style) > width && line.length > 1) {
        let cut = line.length - 1;
        while (cut > 1 && this.measure(line.slice(0, cut), style) > width) cut--;
        lines.push(line.slice(0, cut));
        line = line.slice(cut);
      }
    }
    if (line) lines.push(line);
    return lines;
  }

  rect(x: number, y: number, w: number, h: number, color: string, radius = 0): void {
    if (radius > 0) this.doc.roundedRect(x, y, w, h, radius).fill(color);
    else this.doc.rect(x, y, w, h).fill(color);
    this.color = '';
  }

  rule(x1: number, x2: number, y: number, color: string, width = 0.5): void {
    this.doc.moveTo(x1, y).lineTo(x2, y).lineWidth(width).strokeColor(color).stroke();
  }

  addPage(): void {
    this.doc.addPage({ size: this.page.size, margin: 0 });
    this.color = ''; // a page starts with the default colour
  }

  /** Draws on every page once all pages exist (page numbers need the count). */
  eachPage(draw: (index: number, count: number) => void): void {
    const range = this.doc.bufferedPageRange();
    for (let i = range.start; i < range.start + range.count; i++) {
      this.doc.switchToPage(i);
      this.color = ''; // the colour in force is the one that page ended with
      draw(i - range.start, range.count);
    }
  }

  end(): Promise<Buffer> {
    embedFontFilesDeflatedOnce(this.doc as unknown as EmbeddingInternals);
    this.doc.end();
    return this.done;
  }
}

/** The parts of pdfkit (0.20) that embed a font: its font objects and stream references. */
interface StreamRef {
  compress: boolean;
  data: Record<string, unknown>;
  write(chunk: Uint8Array): void;
  end(chunk?: Uint8Array): void;
  finalize(): void;
}
interface EmbeddingInternals {
  _fontFamilies?: Record<string, { embed?: () => void }>;
  ref(data?: Record<string, unknown>): StreamRef;
}

// Font subsets repeat from document to document (fonts.ts caches their bytes), and compressing
// them is most of what zlib does for an invoice: each distinct subset is deflated once.
const deflatedFontFiles = new WeakMap<Uint8Array, Buffer>();

function deflatedFontFile(bytes: Uint8Array): Buffer {
  let deflated = deflatedFontFiles.get(bytes);
  if (!deflated) {
    deflated = deflateSync(bytes);
    deflatedFontFiles.set(bytes, deflated);
  }
  return deflated;
}

/**
 * pdfkit embeds a font by writing the subset to a new stream (its first reference) that it
 * deflates on the spot; here that stream receives the subset already deflated. The file is the
 * same as pdfkit would write.
 */
function embedFontFilesDeflatedOnce(doc: EmbeddingInternals): void {
  const fonts = new Set(Object.values(doc._fontFamilies ?? {}));
  for (const font of fonts) {
    const embed = font.embed;
    if (typeof embed !== 'function' || typeof doc.ref !== 'function') continue;
    font.embed = () => {
      const ref = doc.ref;
      let first = true;
      doc.ref = (data) => {
        const stream = ref.call(doc, data);
        if (first) {
          first = false;
          const end = stream.end;
          stream.end = (chunk) => {
            if (!chunk || !stream.compress) return end.call(stream, chunk);
            stream.compress = false;
            stream.write(deflatedFontFile(chunk));
            stream.data.Filter = 'FlateDecode';
            stream.finalize();
          };
        }
        return stream;
      };
      try {
        embed.call(font);
      } finally {
        doc.ref = ref;
      }
    };
  }
}
