// The proxy's backup ledger (which full backup each dirty bitmap counts from), pushed by the
// proxy as X_BLOCKSCOPE_BACKUPS (pushed-record.ts). `undefined` data means no ledger came (a
// proxy without one).
import { parseBackupLedger, type BackupLedgerData } from '../qmp/backup-records.ts';
import { ProxyEvent } from '../qmp/wire.ts';
import { pushedRecord } from './pushed-record.ts';

const ledger = pushedRecord<BackupLedgerData>(
  'backup-ledger',
  ProxyEvent.Backups,
  (data) => parseBackupLedger(data) ?? undefined,
);

export const backupLedgerKey = ledger.key;
export const backupLedgerOptions = ledger.options;
export const applyBackupsEvent = ledger.apply;
export const watchBackupLedger = ledger.watch;
