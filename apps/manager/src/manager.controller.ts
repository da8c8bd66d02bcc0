import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, UnauthorizedException } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { IsEmail, IsIn, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { Topics, PersonRoles, type LoginReply, type Role, type VerifiedUser, type VerifyPasswordRequest } from '@cameramonit/contracts';
import { Permission, Public, RequirePermission } from '@cameramonit/auth';
import { UsersService } from './users.service.js';

export class LoginDto {
  @IsEmail({}, { message: 'email must be an email address' })
  email: string;

  @IsString()
  @MinLength(1)
  @MaxLength(200)
  password: string;
}

export class CreateUserDto extends LoginDto {
  @IsString()
  @MinLength(1)
  @MaxLength(120)
  displayName: string;

  @IsIn(PersonRoles)
  role: Role;

  @IsString()
  @MinLength(8, { message: 'password must be at least 8 characters' })
  @MaxLength(200)
  declare password: string;
}

export class GrantDto {
  @IsUUID()
  cameraId: string;
}

@ApiTags('manager')
@ApiBearerAuth()
@Controller('api')
export class ManagerController {
  constructor(private readonly users: UsersService) {}

  @Public()
  @Post('auth/login')
  @HttpCode(200)
  async login(@Body() body: LoginDto): Promise<LoginReply> {
    const reply = await this.users.login(body.email, body.password);
    if (!reply) throw new UnauthorizedException('Wrong email or password');
    return reply;
  }

  @RequirePermission(Permission.usersManage)
  @Get('users')
  list(): Promise<VerifiedUser[]> {
    return this.users.list();
  }

  @RequirePermission(Permission.usersManage)
  @Post('users')
  create(@Body() body: CreateUserDto): Promise<VerifiedUser> {
    return this.users.create(body);
  }

  @RequirePermission(Permission.usersManage)
  @Post('users/:id/grants')
  @HttpCode(204)
  grant(@Param('id', ParseUUIDPipe) id: string, @Body() body: GrantDto): Promise<void> {
    return this.users.grant(id, body.cameraId);
  }

  @RequirePermission(Permission.usersManage)
  @Delete('users/:id/grants/:cameraId')
  @HttpCode(204)
  revoke(@Param('id', ParseUUIDPipe) id: string, @Param('cameraId', ParseUUIDPipe) cameraId: string): Promise<void> {
    return this.users.revoke(id, cameraId);
  }

  @MessagePattern(Topics.authVerifyPassword)
  verifyOverBus(@Payload() request: VerifyPasswordRequest): Promise<VerifiedUser | null> {
    return this.users.verify(String(request?.email ?? ''), String(request?.password ?? ''));
  }

  @MessagePattern(Topics.authLogin)
  loginOverBus(@Payload() request: VerifyPasswordRequest): Promise<LoginReply | null> {
    return this.users.login(String(request?.email ?? ''), String(request?.password ?? ''));
  }
}
