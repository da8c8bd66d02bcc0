import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { CameramonitError, cocoLabels } from '@cameramonit/contracts';
import { ObjectNameEntity } from '@cameramonit/db';

export interface ObjectNameView {
  id: string;
  cameraId: string;
  name: string;
  label: string;
  description: string;
  createdAt: string;
  updatedAt: string;
}

export interface ObjectNameInput {
  name?: string;
  label?: string;
  description?: string;
}

/** The chat app owns `object_names`: the supervisor's names for a camera's known objects, given to the vision model. */
@Injectable()
export class NamesService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async list(cameraId: string): Promise<ObjectNameView[]> {
    return (await this.db.getRepository(ObjectNameEntity).find({ where: { cameraId }, order: { createdAt: 'ASC' } })).map(view);
  }

  async create(cameraId: string, input: Required<ObjectNameInput>, userId: string): Promise<ObjectNameView> {
    const clean = checked(input);
    await this.unique(cameraId, clean.name, null);
    const saved = await this.db.getRepository(ObjectNameEntity).save({ cameraId, name: clean.name, label: clean.label, description: clean.description, createdBy: userId });
    return view(saved);
  }

  async update(cameraId: string, id: string, input: ObjectNameInput): Promise<ObjectNameView> {
    const repository = this.db.getRepository(ObjectNameEntity);
    const row = await repository.findOneBy({ id, cameraId });
    if (!row) throw new NotFoundException(`No name ${id} on this camera`);
    const clean = checked({ name: input.name ?? row.name, label: input.label ?? row.label, description: input.description ?? row.description });
    await this.unique(cameraId, clean.name, id);
    return view(await repository.save({ ...row, ...clean, updatedAt: new Date() }));
  }

  async remove(cameraId: string, id: string): Promise<void> {
    const result = await this.db.getRepository(ObjectNameEntity).delete({ id, cameraId });
    if (!result.affected) throw new NotFoundException(`No name ${id} on this camera`);
  }

  private async unique(cameraId: string, name: string, exceptId: string | null): Promise<void> {
    const same = (await this.db.getRepository(ObjectNameEntity).findBy({ cameraId })).find((r) => r.name.toLowerCase() === name.toLowerCase() && r.id !== exceptId);
    if (same) throw new ConflictException(`The camera has a "${same.name}" already`);
  }
}

function checked(input: Required<ObjectNameInput>): Required<ObjectNameInput> {
  const name = input.name.replace(/\s+/g, ' ').trim();
  const label = input.label.trim().toLowerCase();
  const description = input.description.replace(/\s+/g, ' ').trim();
  const problems: string[] = [];
  if (!name) problems.push('name must not be empty');
  if (!cocoLabels.includes(label)) problems.push(`label "${input.label}" is not an object class the detector knows (e.g. person, car, truck, bicycle, dog, cat)`);
  if (problems.length) throw new CameramonitError('INVALID_NAME', problems.join('; '), 400);
  return { name, label, description };
}

function view(row: ObjectNameEntity): ObjectNameView {
  return {
    id: row.id,
    cameraId: row.cameraId,
    name: row.name,
    label: row.label,
    description: row.description,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
