import { Module } from '@nestjs/common';
import { JournalModule } from '../journal/journal.module';
import { SubtaskModule } from '../subtask/subtask.module';
import { TaskModule } from '../task/task.module';
import { AvailabilityService } from './availability.service';
import { EventHistoryService } from './event-history.service';
import { EventPruner } from './event-pruner.service';
import { EventStreamService } from './event-stream.service';
import { EventsController } from './events.controller';

/** The journal's read side: history, live streams, availability, retention. */
@Module({
  imports: [JournalModule, TaskModule, SubtaskModule],
  controllers: [EventsController],
  providers: [EventStreamService, EventHistoryService, AvailabilityService, EventPruner],
  exports: [EventStreamService, EventPruner],
})
export class EventsModule {}
