import bcrypt from 'bcryptjs';
import { createHash, randomBytes } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import { cryptSalt, sha512Crypt } from './sha512-crypt.js';

/** The CPU-bound password schemes, run on a worker thread so the service's event loop stays free. */
export interface CryptTask {
  id: number;
  scheme: 'BLF-CRYPT' | 'SHA512-CRYPT' | 'SSHA512';
  password: string;
  /** bcrypt cost or SHA-crypt rounds. */
  work?: number;
}

function run(task: CryptTask): string {
  switch (task.scheme) {
    case 'BLF-CRYPT':
      return bcrypt.hashSync(task.password, bcrypt.genSaltSync(task.work));
    case 'SHA512-CRYPT':
      return sha512Crypt(task.password, cryptSalt(), task.work);
    case 'SSHA512': {
      const salt = randomBytes(16);
      const digest = createHash('sha512').update(task.password, 'utf8').update(salt).digest();
      return Buffer.concat([digest, salt]).toString('base64');
    }
  }
}

parentPort?.on('message', (task: CryptTask) => {
  try {
    parentPort!.postMessage({ id: task.id, hash: run(task) });
  } catch (err) {
    parentPort!.postMessage({ id: task.id, error: (err as Error).message });
  }
});
