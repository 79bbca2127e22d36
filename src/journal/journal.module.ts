import { Module } from '@nestjs/common';
import { JournalRepository } from './journal.repository';

/** The event journal's table; every writer of a change appends its event here, in its own transaction. */
@Module({ providers: [JournalRepository], exports: [JournalRepository] })
export class JournalModule {}
