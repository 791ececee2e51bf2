/* SPDX-License-Identifier: MIT */
/* check_file_cycles.sh: calls back into a.c, closing a cycle. */
int a(int n);
int b(int n);

int b(int n)
{
	return a(n);
}
