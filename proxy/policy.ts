// Who may run what. Decided before anything reaches QEMU, in this order:
//   1. commands outside the block layer are refused for everyone (unless --allow-command names them),
//   2. a command the live schema does not list is refused (default-deny for unknown commands),
//   3. a viewer runs reads only; an operator runs reads and the named block commands, and only
//      reads on a libvirt guest unless --libvirt-allow-writes (libvirt/libvirt-refusals.ts),
//   4. an operator's file and address arguments are checked along the live schema
//      (argument-checks.ts),
//   5. what needs a look at QEMU or at image headers runs just before sending (the pre-check).
import { ProxyErrorClass } from '../src/qmp/errors.ts';
import { buildSchemaIndex, type SchemaIndex } from '../src/schema/schema-index.ts';
import {
  isReadOnlyCommand,
  type JsonObject,
  type JsonValue,
  type QmpErrorBody,
} from '../src/qmp/wire.ts';
import { realAllowDirs, reviewArguments, type ArgumentPolicy } from './argument-checks.ts';
import type { CommandResult } from './command-queue.ts';
import { isHardDenied, OPERATOR_COMMANDS } from './command-lists.ts';
import { imageCheckRefusal, settleKnownImages } from './image-checks.ts';
import { nodeFilesOf, recordNodeFiles } from './node-files.ts';
import { libvirtRefusal } from './libvirt/libvirt-refusals.ts';
import { objectDelRefusal } from './object-del-check.ts';
import type { TargetOrigin } from './target-set.ts';

export type Role = 'operator' | 'viewer';

export interface PolicyOptions {
  /** --allow-path directories (resolved to real paths here). */
  allowPaths: string[];
  /** --allow-command names: lifts the hard deny for these, for operators only. */
  allowCommands: string[];
  /** --allow-remote-nbd */
  allowRemoteNbd?: boolean;
}

export type Execute = (command: string, args?: JsonObject) => Promise<CommandResult>;

/** The policy's answer: a refusal now, or a check to run against QEMU right before sending. */
export interface Verdict {
  refusal: QmpErrorBody | null;
  preCheck: ((execute: Execute) => Promise<QmpErrorBody | null>) | null;
}

const indexes = new WeakMap<object, SchemaIndex>();

/** The live schema's index, built once per schema reply. */
function indexOf(schema: JsonValue | null | undefined): SchemaIndex | null {
  if (typeof schema !== 'object' || schema === null) return null;
  let index = indexes.get(schema);
  if (!index) indexes.set(schema, (index = buildSchemaIndex(schema)));
  return index;
}

export class Policy {
  private readonly args: ArgumentPolicy;
  private readonly allowCommands: ReadonlySet<string>;

  constructor(options: PolicyOptions) {
    this.args = {
      allowDirs: realAllowDirs(options.allowPaths),
      allowRemoteNbd: options.allowRemoteNbd ?? false,
    };
    this.allowCommands = new Set(options.allowCommands);
  }

  /** The real paths of the --allow-path directories (for the HTTP file look-up too). */
  get allowDirs(): readonly string[] {
    return this.args.allowDirs;
  }

  /**
   * Returns the refusal for `command`, or null when it may be sent.
   * `schemaCommands` is the live QEMU's command set (null while it is not known yet).
   */
  check(
    role: Role,
    command: string,
    args: JsonObject,
    schemaCommands: ReadonlySet<string> | null,
    schema?: JsonValue | null,
    origin?: TargetOrigin,
  ): QmpErrorBody | null {
    return this.review(role, command, args, schemaCommands, schema, origin).refusal;
  }

  /**
   * `check`, plus the pre-check to run before sending; `schema` is QEMU's query-qmp-schema, and
   * `origin` says where a discovered target came from (a libvirt guest).
   */
  review(
    role: Role,
    command: string,
    args: JsonObject,
    schemaCommands: ReadonlySet<string> | null,
    schema?: JsonValue | null,
    origin?: TargetOrigin,
  ): Verdict {
    const refusal = this.immediate(role, command, schemaCommands, origin);
    // Commands lifted by --allow-command are the operator's own decision, unchecked as before.
    if (
      refusal ||
      role === 'viewer' ||
      isReadOnlyCommand(command) ||
      !OPERATOR_COMMANDS.has(command)
    ) {
      return { refusal, preCheck: null };
    }
    if (command === 'object-del') {
      return { refusal: null, preCheck: (execute) => objectDelRefusal(execute, command, args) };
    }
    const index = indexOf(schema);
    if (!index) {
      return {
        refusal: {
          class: ProxyErrorClass.Denied,
          desc: `${command}: the target's schema is not known yet, so its arguments cannot be checked`,
        },
        preCheck: null,
      };
    }
    const review = reviewArguments(command, args, this.args, index);
    if (review.refusal || review.imageChecks.length === 0) {
      return { refusal: review.refusal, preCheck: null };
    }
    const files = nodeFilesOf(schema);
    const known = (node: string) => files?.get(node);
    const settled = settleKnownImages(review.imageChecks, known);
    if ('refusal' in settled) return { refusal: settled.refusal, preCheck: null };
    const { rest } = settled;
    if (rest.length === 0) return { refusal: null, preCheck: null };
    return {
      refusal: null,
      preCheck: (execute) => imageCheckRefusal(execute, rest, this.args.allowDirs, known),
    };
  }

  /**
   * The live schema's commands this role may send to a target at all: what Run command offers.
   * Their arguments are still checked when sent.
   */
  permittedCommands(
    role: Role,
    schemaCommands: ReadonlySet<string>,
    origin?: TargetOrigin,
  ): string[] {
    return [...schemaCommands]
      .filter((command) => this.immediate(role, command, schemaCommands, origin) === null)
      .sort();
  }

  /** Tells the policy what a command QEMU accepted did (the protocol nodes it added or removed). */
  observe(command: string, args: JsonObject, schema: JsonValue | null | undefined): void {
    const files = nodeFilesOf(schema);
    if (files) recordNodeFiles(files, command, args);
  }

  private immediate(
    role: Role,
    command: string,
    schemaCommands: ReadonlySet<string> | null,
    origin: TargetOrigin | undefined,
  ): QmpErrorBody | null {
    if (isHardDenied(command, this.allowCommands)) {
      return {
        class: ProxyErrorClass.Denied,
        desc: `${command} reaches outside the block layer and is disabled by Blockscope (see --allow-command)`,
      };
    }
    if (schemaCommands && !schemaCommands.has(command)) {
      return { class: 'CommandNotFound', desc: `The command ${command} has not been found` };
    }
    const read = isReadOnlyCommand(command);
    if (role === 'viewer') {
      return read
        ? null
        : {
            class: ProxyErrorClass.Denied,
            desc: `${command} changes state; the viewer role may only read`,
          };
    }
    if (read) return null;
    if (origin?.managed === 'libvirt' && !origin.writable) {
      return libvirtRefusal(command, origin.domain);
    }
    if (!OPERATOR_COMMANDS.has(command) && !this.allowCommands.has(command)) {
      return {
        class: ProxyErrorClass.Denied,
        desc: `${command} is not one of the block-layer commands Blockscope allows (see --allow-command)`,
      };
    }
    return null;
  }
}
