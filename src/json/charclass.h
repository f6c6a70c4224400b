/* Rows of 16 byte classes for the JSON reader's and writer's lookup tables. */
#ifndef VP_JSON_CHARCLASS_H
#define VP_JSON_CHARCLASS_H

#define VP_ROW0 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
#define VP_ROW1 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1
#define VP_ROW_QUOTE 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0     /* 0x22 '"' */
#define VP_ROW_BACKSLASH 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0 /* 0x5c '\\' */

#endif
