package iampolicy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// templateFormatVersion is the only AWSTemplateFormatVersion CloudFormation
// knows.
const templateFormatVersion = "2010-09-09"

// Template is an AWS CloudFormation template: a typed top level with
// untyped resource properties, enough to write (and read back) the templates
// this package generates without a CloudFormation library. Intrinsic
// functions are plain maps; [Ref], [Sub] and [GetAtt] build them.
//
// A Template is a plain value tree: copy it before changing it if another
// goroutine may read it.
type Template struct {
	// AWSTemplateFormatVersion is "2010-09-09", the only version
	// CloudFormation knows.
	AWSTemplateFormatVersion string `json:"AWSTemplateFormatVersion"`
	// Description is shown by the CloudFormation console (at most 1,024 bytes).
	Description string `json:"Description,omitempty"`
	// Metadata holds template metadata such as AWS::CloudFormation::Interface,
	// which orders and labels the parameters in the console.
	Metadata map[string]any `json:"Metadata,omitempty"`
	// Parameters are the stack's inputs, by name.
	Parameters map[string]Parameter `json:"Parameters,omitempty"`
	// Conditions are named boolean expressions (Fn::Equals, Fn::Not, …).
	Conditions map[string]any `json:"Conditions,omitempty"`
	// Resources are the resources the stack creates, by logical ID.
	Resources map[string]Resource `json:"Resources"`
	// Outputs are the stack's outputs, by name.
	Outputs map[string]Output `json:"Outputs,omitempty"`
}

// Parameter is one template parameter.
type Parameter struct {
	// Type is the parameter type, e.g. "String".
	Type string `json:"Type"`
	// Description is shown next to the input in the console.
	Description string `json:"Description,omitempty"`
	// Default is the value used when the stack does not set one. A nil
	// Default is omitted, so the stack cannot be created without a value;
	// an empty string is written, so the parameter stays optional.
	Default any `json:"Default,omitempty"`
	// AllowedPattern is a regular expression the whole value must match.
	AllowedPattern string `json:"AllowedPattern,omitempty"`
	// AllowedValues lists the only values accepted.
	AllowedValues []string `json:"AllowedValues,omitempty"`
	// MinLength and MaxLength bound a String value's length; zero is unset.
	MinLength int `json:"MinLength,omitempty"`
	MaxLength int `json:"MaxLength,omitempty"`
	// ConstraintDescription is shown when a value breaks the constraints.
	ConstraintDescription string `json:"ConstraintDescription,omitempty"`
	// NoEcho masks the value in the console and in DescribeStacks.
	NoEcho bool `json:"NoEcho,omitempty"`
}

// Resource is one template resource.
type Resource struct {
	// Type is the resource type, e.g. "AWS::IAM::Role".
	Type string `json:"Type"`
	// Condition names a condition that must hold for the resource to be
	// created.
	Condition string `json:"Condition,omitempty"`
	// DependsOn lists logical IDs created before this resource.
	DependsOn []string `json:"DependsOn,omitempty"`
	// Properties are the resource's properties, as CloudFormation documents
	// them for Type.
	Properties map[string]any `json:"Properties,omitempty"`
}

// Output is one stack output.
type Output struct {
	// Description says what the value is.
	Description string `json:"Description,omitempty"`
	// Value is the output's value, usually an intrinsic function.
	Value any `json:"Value"`
	// Condition names a condition that must hold for the output to exist.
	Condition string `json:"Condition,omitempty"`
}

// Ref returns the intrinsic function {"Ref": name}: the value of a
// parameter, the default return value of a resource, or a pseudo parameter
// such as AWS::Partition.
func Ref(name string) map[string]any { return map[string]any{"Ref": name} }

// Sub returns the intrinsic function {"Fn::Sub": s}, which replaces
// ${Name} in s with the value of a parameter, resource or pseudo parameter.
func Sub(s string) map[string]any { return map[string]any{"Fn::Sub": s} }

// GetAtt returns the intrinsic function {"Fn::GetAtt": [resource, attr]},
// e.g. GetAtt("Role", "Arn").
func GetAtt(resource, attr string) map[string]any {
	return map[string]any{"Fn::GetAtt": []any{resource, attr}}
}

func cfnIf(cond string, then, els any) map[string]any {
	return map[string]any{"Fn::If": []any{cond, then, els}}
}

// cfnJoin is {"Fn::Join": [sep, list]}: values are the list's items, or
// one value that is itself a list (such as cfnSplit's).
func cfnJoin(sep string, values ...any) map[string]any {
	var list any = values
	if len(values) == 1 {
		list = values[0]
	}
	return map[string]any{"Fn::Join": []any{sep, list}}
}

// cfnSplit is {"Fn::Split": [sep, value]}.
func cfnSplit(sep string, value any) map[string]any {
	return map[string]any{"Fn::Split": []any{sep, value}}
}

// cfnNotEmpty is the condition "parameter is not the empty string".
func cfnNotEmpty(param string) map[string]any {
	return map[string]any{"Fn::Not": []any{map[string]any{"Fn::Equals": []any{Ref(param), ""}}}}
}

// JSON returns the template as JSON indented by two spaces, without HTML
// escaping, with a trailing newline. Map keys are sorted, so the output is
// deterministic. CloudFormation and cfn-lint accept it as is.
func (t *Template) JSON() ([]byte, error) {
	if t == nil {
		return nil, errors.New("iampolicy: encode template: nil template")
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(t); err != nil {
		return nil, fmt.Errorf("iampolicy: encode template: %w", err)
	}
	return buf.Bytes(), nil
}

// YAML returns the template as YAML, written by go.yaml.in/yaml/v3: the
// same tree as JSON, keys in the same order, block style with two-space
// indentation, every string value double-quoted (so no value is ever read
// back as a number, boolean or null, by YAML 1.1 or 1.2 readers). The
// output is deterministic, and CloudFormation and cfn-lint accept it as is.
func (t *Template) YAML() ([]byte, error) {
	j, err := t.JSON()
	if err != nil {
		return nil, err
	}
	y, err := jsonToYAML(j)
	if err != nil {
		return nil, fmt.Errorf("iampolicy: encode template as YAML: %w", err)
	}
	return y, nil
}

// ParameterDefaults returns each parameter's Default as a string, by
// parameter name; parameters without a default are left out. The result
// suits [QuickCreateURL]'s params.
func (t *Template) ParameterDefaults() map[string]string {
	out := map[string]string{}
	if t == nil {
		return out
	}
	for name, p := range t.Parameters {
		switch v := p.Default.(type) {
		case nil:
		case string:
			out[name] = v
		default:
			out[name] = fmt.Sprint(v)
		}
	}
	return out
}
