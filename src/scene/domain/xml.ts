import { XMLValidator } from 'fast-xml-parser';

export type XmlProblem = 'xmlTooLarge' | 'xmlMalformed';

/** Checks one XML string: under `maxBytes` (UTF-8) and well-formed. Null when it is fine. */
export function checkXml(value: string, maxBytes: number): XmlProblem | null {
  if (Buffer.byteLength(value, 'utf8') > maxBytes) return 'xmlTooLarge';
  if (value.trim() === '') return 'xmlMalformed';
  return XMLValidator.validate(value, { allowBooleanAttributes: true }) === true ? null : 'xmlMalformed';
}
