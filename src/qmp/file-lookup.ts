// What the proxy's file look-up answers (GET /api/targets/NAME/file?path=…): what is at a path
// inside --allow-path, so that the page can ask before a plan creates an image over a file.
// Env-neutral: the proxy builds it, the page reads it.

/** The image format read from a file's first bytes; `raw` when no known header is there. */
export type FileImageFormat = 'qcow2' | 'qcow' | 'qed' | 'vmdk' | 'raw' | 'unknown';

export type FileAtPath =
  | { path: string; exists: false }
  | { path: string; exists: true; type: 'directory'; size: number }
  /** A device, socket, pipe, or a symbolic link to nothing. */
  | { path: string; exists: true; type: 'other'; size: number }
  | {
      path: string;
      exists: true;
      type: 'file';
      /** The file's length in bytes. */
      size: number;
      /** `unknown`: a known header that cannot be read, or a file the proxy may not read. */
      format: FileImageFormat;
      /** The guest-visible size the header states (qcow2, qcow, qed). */
      virtualSize?: number;
    };

/** The answer to a refused look-up (400, 403, 404, 500). */
export interface FileLookupError {
  error: string;
}

/** What the page knows about a path: the proxy's answer, or why it gave none (its refusal). */
export type PathLookup = FileAtPath | { path: string; error: string };
