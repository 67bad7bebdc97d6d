import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean } from 'class-validator';

export class SettingsDto {
  @ApiProperty({ example: false, description: 'Private: new followers need your approval; lists are visible to your followers only' })
  @IsBoolean()
  is_private!: boolean;
}
