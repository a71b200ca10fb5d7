export { crc32 } from './crc32.js';
export {
  decodeHeader,
  encodeFrame,
  FRAME_HEADER,
  type Frame,
  FrameError,
  type FrameFields,
  type FrameHeader,
  FrameKind,
  MAX_PAYLOAD,
} from './frame.js';
export { FrameReader, type FrameReaderOptions } from './reader.js';
