import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, BODY_ERRORS } from '../common/http/api-errors';
import { CREATE_DICT_ITEM_EXAMPLE, UPDATE_DICT_ITEM_EXAMPLE } from '../common/http/api-examples';
import { MinRole } from '../common/auth/roles';
import { EnvelopeDto } from '../common/http/envelope.dto';
import { ok } from '../common/http/envelope';
import { RequestLanguage } from '../common/http/request-language';
import type { Language } from '../config/app-config';
import { DictionaryService } from './dictionary.service';
import { CreateDictItemDto, DictItemResponseDto, DictListResponseDto, ListDictQueryDto, UpdateDictItemDto } from './dto/dictionary.dto';

@ApiTags('dictionary')
@Controller('dicts')
export class DictionaryController {
  constructor(private readonly dictionary: DictionaryService) {}

  @Get()
  @ApiOperation({ summary: "List a dictionary's items, labelled in the request's language" })
  @ApiOkResponse({ type: DictListResponseDto })
  @ApiErrors('VALIDATION_FAILED')
  async list(@Query() query: ListDictQueryDto, @RequestLanguage() lang: Language): Promise<DictListResponseDto> {
    const items = await this.dictionary.list(query.dict_type, lang);
    return ok({ total_num: items.length, offset: 0, list_size: items.length, list_data: items });
  }

  @Post()
  @HttpCode(200)
  @MinRole('admin')
  @ApiOperation({ summary: 'Add a dictionary item (admin)' })
  @ApiBody({ type: CreateDictItemDto, examples: { item: { summary: 'A new algorithm type', value: CREATE_DICT_ITEM_EXAMPLE } } })
  @ApiOkResponse({ type: DictItemResponseDto })
  @ApiErrors(BODY_ERRORS, 'DICT_ITEM_EXISTS')
  async create(@Body() dto: CreateDictItemDto, @RequestLanguage() lang: Language): Promise<DictItemResponseDto> {
    return ok({ item: await this.dictionary.create(dto, lang) });
  }

  @Put(':id')
  @MinRole('admin')
  @ApiOperation({ summary: "Edit a dictionary item's labels or order (admin)" })
  @ApiBody({ type: UpdateDictItemDto, examples: { relabel: { summary: 'New labels', value: UPDATE_DICT_ITEM_EXAMPLE } } })
  @ApiOkResponse({ type: DictItemResponseDto })
  @ApiErrors(BODY_ERRORS, 'DICT_ITEM_NOT_FOUND')
  async update(@Param('id') id: string, @Body() dto: UpdateDictItemDto, @RequestLanguage() lang: Language): Promise<DictItemResponseDto> {
    return ok({ item: await this.dictionary.update(id, dto, lang) });
  }

  @Delete(':id')
  @MinRole('admin')
  @ApiOperation({ summary: 'Remove a dictionary item that nothing uses (admin)' })
  @ApiOkResponse({ type: EnvelopeDto })
  @ApiErrors('DICT_ITEM_NOT_FOUND', 'DICT_ITEM_IN_USE')
  async remove(@Param('id') id: string): Promise<EnvelopeDto> {
    await this.dictionary.remove(id);
    return ok({});
  }
}
