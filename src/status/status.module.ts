import { Module } from '@nestjs/common';
import { StatusAggregationService } from './status-aggregation.service';

@Module({ providers: [StatusAggregationService], exports: [StatusAggregationService] })
export class StatusModule {}
