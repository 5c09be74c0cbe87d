import { Inject } from '@nestjs/common';

export const WORKER_CONFIG = Symbol('WORKER_CONFIG');
export const InjectWorkerConfig = () => Inject(WORKER_CONFIG);
