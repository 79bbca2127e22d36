import { SaxesParser } from 'saxes';

export type XmlProblem = 'xmlTooLarge' | 'xmlMalformed' | 'xmlDoctype';

/** Thrown from the parser's doctype handler to stop reading at the declaration. */
const DOCTYPE_FOUND = new Error('doctype');

/**
 * Checks one XML string: under `maxBytes` (UTF-8), without any DOCTYPE (a DTD can declare
 * external or recursively expanding entities, and the document is forwarded to the analysis
 * servers, whose parsers may resolve them), and well-formed by XML 1.0 (one root, no undefined
 * entities, no `<` in attribute values), with a strict SAX parser that builds nothing.
 * Null when it is fine.
 */
export function checkXml(value: string, maxBytes: number): XmlProblem | null {
  if (Buffer.byteLength(value, 'utf8') > maxBytes) return 'xmlTooLarge';
  if (value.trim() === '') return 'xmlMalformed';
  const parser = new SaxesParser();
  let doctype = false;
  parser.on('doctype', () => {
    doctype = true;
    throw DOCTYPE_FOUND;
  });
  try {
    parser.write(value).close();
    return null;
  } catch {
    // A DOCTYPE is reported as such even when the document is also malformed after it.
    return doctype || hasDoctype(value) ? 'xmlDoctype' : 'xmlMalformed';
  }
}

/** A `<!DOCTYPE` the parser may not have reached (an error before it, e.g. a bad prolog). */
const hasDoctype = (value: string): boolean => /<!DOCTYPE/i.test(value);
