/* SPDX-License-Identifier: MIT */
/* check_file_cycles.sh: a leaf, no cycle. */
int b(int n);

int b(int n)
{
	return n;
}
