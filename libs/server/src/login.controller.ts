import { Body, Controller, HttpCode, Post, UnauthorizedException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsEmail, IsString, MaxLength, MinLength } from 'class-validator';
import { Public } from '@cameramonit/auth';
import { BusClient } from '@cameramonit/bus';
import { Topics, type LoginReply, type VerifyPasswordRequest } from '@cameramonit/contracts';

export class LoginDto {
  @ApiProperty({ example: 'admin@cameramonit.local' })
  @IsEmail({}, { message: 'email must be an email address' })
  email: string;

  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  password: string;
}

export class LoginResponse {
  @ApiProperty() accessToken: string;
  @ApiProperty() user: { id: string; email: string; displayName: string; role: string };
}

/**
 * `POST /api/auth/login` for an app with a web page (chat, admin): the manager checks the
 * password over the bus and answers with an access token. Add it to the app's controllers.
 */
@ApiTags('auth')
@Controller('api/auth')
export class LoginController {
  constructor(private readonly bus: BusClient) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Log in; use the accessToken as "Authorization: Bearer <token>"' })
  @ApiOkResponse({ type: LoginResponse })
  async login(@Body() body: LoginDto): Promise<LoginReply> {
    const reply = await this.bus.request<LoginReply | null, VerifyPasswordRequest>(Topics.authLogin, { email: body.email, password: body.password });
    if (!reply) throw new UnauthorizedException('Wrong email or password');
    return reply;
  }
}
