// Who may run what. Decided before anything reaches QEMU, in this order:
//   1. commands outside the block layer are refused for everyone (unless --allow-command names them),
//   2. a command the live schema does not list is refused (default-deny for unknown commands),
//   3. a viewer runs reads only; an operator runs reads and the named block commands,
//   4. an operator's file and address arguments are checked (argument-checks.ts).
import { ProxyErrorClass } from '../src/qmp/errors.ts';
import { isReadOnlyCommand, type JsonObject, type QmpErrorBody } from '../src/qmp/wire.ts';
import { checkArguments, realAllowDirs, type ArgumentPolicy } from './argument-checks.ts';
import { isHardDenied, OPERATOR_COMMANDS } from './command-lists.ts';

export type Role = 'operator' | 'viewer';

export interface PolicyOptions {
  /** --allow-path directories (resolved to real paths here). */
  allowPaths: string[];
  /** --allow-command names: lifts the hard deny for these, for operators only. */
  allowCommands: string[];
  /** --allow-remote-nbd */
  allowRemoteNbd?: boolean;
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

  /**
   * Returns the refusal for `command`, or null when it may be sent.
   * `schemaCommands` is the live QEMU's command set (null while it is not known yet).
   */
  check(
    role: Role,
    command: string,
    args: JsonObject,
    schemaCommands: ReadonlySet<string> | null,
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
    if (!OPERATOR_COMMANDS.has(command) && !this.allowCommands.has(command)) {
      return {
        class: ProxyErrorClass.Denied,
        desc: `${command} is not one of the block-layer commands Blockscope allows (see --allow-command)`,
      };
    }
    return checkArguments(command, args, this.args);
  }
}
