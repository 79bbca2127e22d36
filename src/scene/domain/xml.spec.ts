import { checkXml } from './xml';

describe('checkXml', () => {
  it.each([
    '<?xml version="1.0" encoding="UTF-8"?><root></root>',
    '<root a="1"><roi x="3" y="4"/><!-- note --><![CDATA[<raw>]]></root>',
    '<根><区域>中文</区域></根>',
  ])('accepts well-formed %p', (xml) => {
    expect(checkXml(xml, 4096)).toBeNull();
  });

  it.each(['', '   ', '<root>', '<root></rooot>', 'not xml', '<a><b></a></b>', '<root attr=unquoted></root>', "'; DROP TABLE tb_task; --"])(
    'refuses malformed %p',
    (xml) => {
      expect(checkXml(xml, 4096)).toBe('xmlMalformed');
    },
  );

  it.each([
    ['an internal subset declaring an external entity', '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>'],
    ['entities that expand into each other', '<!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><r>&b;</r>'],
    ['an external DTD', '<!DOCTYPE r SYSTEM "http://dtd.example.test/r.dtd"><r/>'],
    ['a bare DOCTYPE', '<!DOCTYPE r><r/>'],
    ['a DOCTYPE inside the root', '<r><!DOCTYPE x></r>'],
    ['a lowercase doctype', '<!doctype r><r/>'],
  ])('refuses %s', (_name, xml) => {
    expect(checkXml(xml, 4096)).toBe('xmlDoctype');
  });

  it('accepts the text "<!DOCTYPE" inside CDATA or a comment', () => {
    expect(checkXml('<r><![CDATA[<!DOCTYPE r>]]><!-- <!DOCTYPE r> --></r>', 4096)).toBeNull();
  });

  it('refuses control characters XML 1.0 does not allow', () => {
    expect(checkXml('<r>\u0000</r>', 4096)).toBe('xmlMalformed');
    expect(checkXml('<r>\u001b[31m</r>', 4096)).toBe('xmlMalformed');
  });

  it('measures size in UTF-8 bytes before parsing', () => {
    const xml = `<r>${'区'.repeat(100)}</r>`; // 300 bytes of text + 7 of tags
    expect(checkXml(xml, 307)).toBeNull();
    expect(checkXml(xml, 306)).toBe('xmlTooLarge');
  });
});
