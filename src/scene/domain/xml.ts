import { SaxesParser } from 'saxes';

export type XmlProblem = 'xmlTooLarge' | 'xmlMalformed';

/**
 * Checks one XML string: under `maxBytes` (UTF-8) and well-formed by XML 1.0 (one root, no
 * undefined entities, no `<` in attribute values), with a strict SAX parser that builds nothing.
 * Null when it is fine.
 */
export function checkXml(value: string, maxBytes: number): XmlProblem | null {
  if (Buffer.byteLength(value, 'utf8') > maxBytes) return 'xmlTooLarge';
  if (value.trim() === '') return 'xmlMalformed';
  const parser = new SaxesParser();
  try {
    parser.write(value).close();
    return null;
  } catch {
    return 'xmlMalformed';
  }
}
