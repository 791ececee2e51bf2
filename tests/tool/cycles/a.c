/* SPDX-License-Identifier: MIT */
/* check_file_cycles.sh: a file that calls b(). */
int b(int n);
int a(int n);

int a(int n)
{
	return n > 0 ? b(n - 1) : 0;
}
