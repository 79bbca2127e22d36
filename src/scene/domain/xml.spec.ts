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

  it('measures size in UTF-8 bytes before parsing', () => {
    const xml = `<r>${'区'.repeat(100)}</r>`; // 300 bytes of text + 7 of tags
    expect(checkXml(xml, 307)).toBeNull();
    expect(checkXml(xml, 306)).toBe('xmlTooLarge');
  });
});
