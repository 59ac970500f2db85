#ifndef LAMBDASOCKETS_PROCESS_ARGUMENTS_H
#define LAMBDASOCKETS_PROCESS_ARGUMENTS_H

/// The process's argument vector as glibc handed it to the program's constructors (NULL-terminated), with
/// its count in `count`; NULL, and a count of 0, where no constructor was handed one.
char *const *lambdasockets_process_arguments(int *count);

#endif
