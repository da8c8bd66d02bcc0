import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CameraGrantEntity, UserEntity } from '@cameramonit/db';
import { ManagerController } from './manager.controller.js';
import { UsersService } from './users.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([UserEntity, CameraGrantEntity])],
  controllers: [ManagerController],
  providers: [UsersService],
  exports: [UsersService],
})
export class ManagerModule {}
