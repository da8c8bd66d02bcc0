import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { InjectDataSource } from '@nestjs/typeorm';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { IsEmail, IsIn, IsUUID } from 'class-validator';
import type { DataSource } from 'typeorm';
import { CurrentUser, Permission, RequirePermission, type AuthUser } from '@cameramonit/auth';
import { Topics, type EventCreatedPayload } from '@cameramonit/contracts';
import { DeliveryEntity, SubscriptionEntity } from '@cameramonit/db';
import { DeliveriesService } from './deliveries.service.js';

export class SubscribeDto {
  @IsUUID()
  cameraId: string;

  @IsIn(['email'], { message: 'channel must be email (Telegram, WhatsApp and webhooks come later)' })
  channel: 'email';

  @IsEmail()
  address: string;
}

@ApiTags('notifier')
@ApiBearerAuth()
@Controller()
export class NotifierController {
  constructor(
    private readonly deliveries: DeliveriesService,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  @EventPattern(Topics.eventCreated)
  eventCreated(@Payload() payload: EventCreatedPayload): Promise<void> {
    return this.deliveries.deliverEvent(String(payload?.eventId));
  }

  @RequirePermission(Permission.subscriptionsOwn)
  @Get('api/subscriptions')
  mine(@CurrentUser() user: AuthUser): Promise<SubscriptionEntity[]> {
    return this.db.getRepository(SubscriptionEntity).findBy({ userId: user.id });
  }

  @RequirePermission(Permission.subscriptionsOwn)
  @Post('api/subscriptions')
  subscribe(@CurrentUser() user: AuthUser, @Body() body: SubscribeDto): Promise<SubscriptionEntity> {
    return this.db.getRepository(SubscriptionEntity).save({ cameraId: body.cameraId, userId: user.id, channel: body.channel, address: body.address, enabled: true });
  }

  @RequirePermission(Permission.subscriptionsOwn)
  @Delete('api/subscriptions/:id')
  @HttpCode(204)
  async unsubscribe(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string): Promise<void> {
    await this.db.getRepository(SubscriptionEntity).delete({ id, userId: user.id });
  }

  @RequirePermission(Permission.usersManage)
  @Get('api/deliveries')
  ledger(): Promise<DeliveryEntity[]> {
    return this.db.getRepository(DeliveryEntity).find({ order: { createdAt: 'DESC' }, take: 200 });
  }
}
