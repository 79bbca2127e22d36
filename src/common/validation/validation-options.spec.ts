import { Type } from 'class-transformer';
import { IsArray, IsInt, IsString, ValidateNested, validateSync } from 'class-validator';
import { flattenValidationErrors } from './validation-options';

class Leaf {
  @IsString() roi: string;
}
class Scene {
  @IsString() name: string;
  @IsArray() @ValidateNested({ each: true }) @Type(() => Leaf) rois: Leaf[];
}
class Root {
  @IsInt() count: number;
  @IsArray() @ValidateNested({ each: true }) @Type(() => Scene) scenes: Scene[];
}

describe('flattenValidationErrors', () => {
  it('names nested array fields with their indexes', () => {
    const { plainToInstance } = jest.requireActual('class-transformer');
    const root = plainToInstance(Root, {
      count: 'x',
      scenes: [{ name: 'ok', rois: [{ roi: 'a' }] }, { name: 3, rois: [{ roi: 'b' }, { roi: 7 }] }],
    });
    const flat = flattenValidationErrors(validateSync(root));
    expect(flat.map((e) => `${e.field}:${e.rule}`).sort()).toEqual([
      'count:isInt',
      'scenes[1].name:isString',
      'scenes[1].rois[1].roi:isString',
    ]);
    expect(flat.every((e) => typeof e.fallback === 'string' && e.fallback.length > 0)).toBe(true);
  });
});
